import { type Tensor, fromFlat } from '@chainrule/tensor';
import { describeShapeInWords } from './format.ts';
import { roundHalfAway } from './tolerance.ts';

/** A given value fitted to the expected shape, or why it does not fit. @example const fit: Fit = fitShape('u1', given, [3]); */
export type Fit = { ok: true; value: Tensor } | { ok: false; reason: 'transposed' | 'shape'; message: string };

/**
 * Fits a given value to the expected shape. A vector may be written flat, as a row or as a column; a
 * number may be wrapped in arrays; a one-row or one-column matrix may be written flat. A matrix given
 * with rows and columns swapped is named `transposed`; anything else that does not fit, `shape`.
 *
 * @example
 * fitShape('W1', tensor([[1, 2]]), [2]); // { ok: true, value: [1, 2] }
 */
export function fitShape(label: string, given: Tensor, shape: readonly number[]): Fit {
  const gs = given.shape;
  const size = shape.reduce((p, e) => p * e, 1);
  if (gs.length === shape.length && gs.every((e, i) => e === shape[i])) return { ok: true, value: given };
  if (given.size === size) {
    const vectorLike = (s: readonly number[]) => s.length === 1 || (s.length === 2 && (s[0] === 1 || s[1] === 1));
    if (shape.length === 0) return { ok: true, value: given.reshape([]) };
    if (shape.length === 1 && vectorLike(gs)) return { ok: true, value: given.reshape(shape) };
    if (shape.length === 2 && gs.length === 1 && (shape[0] === 1 || shape[1] === 1)) return { ok: true, value: given.reshape(shape) };
  }
  if (shape.length === 2 && gs.length === 2 && gs[0] === shape[1] && gs[1] === shape[0]) {
    return { ok: false, reason: 'transposed', message: `${label}: given ${gs.join('×')}, expected ${shape.join('×')} — transposed?` };
  }
  return { ok: false, reason: 'shape', message: `${label}: given ${describeShapeInWords(gs)}, expected ${describeShapeInWords(shape)}` };
}

/** Every entry rounded half away from zero. @example roundTensor(tensor([2.675]), 2) // [2.68] */
export function roundTensor(t: Tensor, decimals: number): Tensor {
  return fromFlat(Float64Array.from(t.data, (v) => roundHalfAway(v, decimals)), t.shape);
}

