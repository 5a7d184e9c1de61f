import type { Problem } from './problem.ts';

/** A value as a problem file writes it: a number, a vector, or a matrix as an array of rows. */
export type Value = Problem['values'][string];

/**
 * The shape of a value as written: `[]`, `[n]`, or `[rows, widest row]` (a ragged matrix is an
 * error of the tensor, found when it is used).
 *
 * @example
 * valueShape([[1, 2], [3, 4], [5, 6]]); // [3, 2]
 */
export function valueShape(value: Value): number[] {
  if (typeof value === 'number') return [];
  if (value.length === 0 || typeof value[0] === 'number') return [value.length];
  let cols = 0;
  for (const row of value as number[][]) cols = Math.max(cols, row.length);
  return [value.length, cols];
}
