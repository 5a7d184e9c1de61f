/** A shape of a tensor: `[]` is a scalar, `[n]` a (column) vector, `[m, n]` a matrix. */
export type Shape = readonly number[];

/** Renders a shape the way error messages and tables show it, e.g. `[3×4]` or `scalar`. */
export function describeShape(shape: Shape): string {
  return shape.length === 0 ? 'scalar' : `[${shape.join('×')}]`;
}

/**
 * Thrown when the shapes of operands do not fit an operation. The message names the op and both shapes.
 *
 * @example
 * try { matmul(tensor([[1, 2]]), tensor([[1, 2]])); } catch (e) { (e as ShapeError).op; } // 'matmul'
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly op: string,
    readonly shapes: readonly Shape[],
    detail?: string,
  ) {
    super(`${op}: shapes ${shapes.map(describeShape).join(' and ')} do not fit${detail ? ` (${detail})` : ''}`);
  }
}

/** Thrown for values that are not tensors at all: ragged nested arrays, non-finite sizes, NaN where a number is needed. */
export class TensorValueError extends Error {
  override readonly name = 'TensorValueError';
}
