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
/** Where in the user's input something went wrong: a line/column in equation text, or a JSON path in a problem file. */
export interface ErrorLocation {
  /** 1-based line in the equation source. */
  line?: number;
  /** 1-based column in the equation source. */
  column?: number;
  /** JSON path of the fault in a problem file, e.g. `["values", "W1", 2, 0]`. */
  path?: readonly (string | number)[];
}

/** What kind of fault: parse and problem errors are the user's; `internal` is ours. */
export type ErrorCode = 'parse' | 'graph' | 'shape' | 'problem' | 'value' | 'gradient' | 'limit' | 'internal';

/**
 * The one error class of chainrule. It carries a machine-readable `code`, the location of the
 * fault (line/column or JSON path) and an HTTP `status` (4xx: the input's fault, 5xx: ours).
 *
 * @example
 * throw new ChainruleError('parse', "expected an expression after '='", { line: 2, column: 6 });
 */
export class ChainruleError extends Error {
  override readonly name = 'ChainruleError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly location: ErrorLocation = {},
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status ?? (code === 'internal' ? 500 : code === 'limit' ? 413 : 422);
  }

  /** The message prefixed by its location, e.g. `line 2, column 6: expected …` or `values.W1[2]: …`. */
  describe(): string {
    const { line, column, path } = this.location;
    const parts: string[] = [];
    if (path !== undefined && path.length > 0) parts.push(formatJsonPath(path));
    // An equation given as one element of an array is its own line 1: the path (`equations[2]`, or
    // `problem.equations[2]` inside a request) already says which.
    const lineIsPath = path !== undefined && path.length >= 2 && typeof path[path.length - 1] === 'number' && path[path.length - 2] === 'equations';
    if (line !== undefined && !lineIsPath) parts.push(`line ${line}`);
    if (column !== undefined) parts.push(`column ${column}`);
    return parts.length > 0 ? `${parts.join(', ')}: ${this.message}` : this.message;
  }
}

/** `["values", "W1", 2]` → `values.W1[2]`. @example formatJsonPath(['values', 'W1', 2]) // 'values.W1[2]' */
export function formatJsonPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `${i === 0 ? '' : '.'}${part}` : `[${JSON.stringify(part)}]`,
    )
    .join('');
}
