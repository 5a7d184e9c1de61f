import { map } from './ops.ts';
import type { Tensor } from './tensor.ts';

/**
 * Rounds one number to `decimals` places the way a student does by hand: half away from zero, and
 * robust to binary representation (2.675 is stored as 2.67499999…, and still rounds to 2.68).
 * Numbers that are integers at that precision, non-finite numbers and a `decimals` too large to
 * scale by come back unchanged. The one rounding of chainrule: worked solutions, the grader's
 * tolerance and every formatter use it.
 *
 * @example
 * roundNumber(2.675, 2);  // 2.68
 * roundNumber(-2.5, 0);   // -3
 * roundNumber(1.005, 2);  // 1.01
 */
export function roundNumber(v: number, decimals: number): number {
  if (!Number.isFinite(v) || v === 0) return v === 0 ? 0 : v;
  const factor = 10 ** decimals;
  if (!Number.isFinite(factor) || factor === 0 || Math.abs(v) * factor >= 2 ** 52) return v; // already an integer at that precision
  // 0.7·1.15 is stored as 0.8049999999999999 and 1.005·100 as 100.49999999999999; a student has
  // 0.805 and 100.5. Twelve significant digits drop that binary noise before rounding.
  const shifted = Number((Number(Math.abs(v).toPrecision(12)) * factor).toPrecision(12));
  // Math.round rounds .5 upward, which for the absolute value is away from zero.
  const result = (Math.round(shifted) / factor) * Math.sign(v);
  return result === 0 ? 0 : result;
}

/**
 * Rounds every element to `decimals` places with {@link roundNumber}.
 *
 * @example
 * roundTo(tensor([2.555, -0.125]), 2); // [2.56, -0.13]
 */
export function roundTo(t: Tensor, decimals: number): Tensor {
  return map(t, (v) => roundNumber(v, decimals));
}
