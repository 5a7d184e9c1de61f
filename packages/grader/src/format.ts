import { type NumberFormat, type Tensor, formatNumber, formatTensor } from '@chainrule/tensor';
import type { Numbers } from './submission.ts';

/** How a report writes numbers: up to 6 decimals, or 6 significant digits below 0.001; the JSON report keeps full precision. */
const REPORT_NUMBERS: NumberFormat = { decimals: 6, trimZeros: true, significantBelow: 1e-3, nonFinite: 'js' };

/** A number for display (see {@link REPORT_NUMBERS}). @example formatValue(2.5555555) // '2.555556' */
export function formatValue(v: number): string {
  return formatNumber(v, REPORT_NUMBERS);
}

/** A number, vector or matrix on one line: `2.5`, `[2.55, 3.9]`, `[[1, 2], [3, 4]]`. @example formatNumbers([[1, 2], [3, 4]]) // '[[1, 2], [3, 4]]' */
export function formatNumbers(value: Numbers): string {
  return formatTensor(value, { ...REPORT_NUMBERS, layout: 'inline' });
}

/** A shape in words: `a number`, `a vector of 3`, `3×4`. */
export function describeShapeInWords(shape: readonly number[]): string {
  if (shape.length === 0) return 'a number';
  if (shape.length === 1) return shape[0] === 0 ? 'an empty vector' : `a vector of ${shape[0]}`;
  return shape.join('×');
}

/** The index of flat entry `i` of a tensor as a JSON path suffix: `[1]` or `[0][2]`. */
export function entryIndex(t: Tensor, i: number): string {
  if (t.rank === 0) return '';
  if (t.rank === 1) return `[${i}]`;
  const cols = t.shape[1]!;
  return `[${Math.floor(i / cols)}][${i % cols}]`;
}
