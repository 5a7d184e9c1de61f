import type { Tensor } from '@chainrule/tensor';
import type { Numbers } from './submission.ts';
import { roundHalfAway } from './tolerance.ts';

/** A number for display: up to 6 decimals, or 6 significant digits below 0.001; the JSON report keeps full precision. */
export function formatValue(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v === 0 ? 0 : v);
  const shown = Math.abs(v) >= 1e-3 ? roundHalfAway(v, 6) : Number(v.toPrecision(6));
  return String(shown);
}

/** A number, vector or matrix on one line: `2.5`, `[2.55, 3.9]`, `[[1, 2], [3, 4]]`. */
export function formatNumbers(value: Numbers): string {
  if (typeof value === 'number') return formatValue(value);
  return `[${(value as (number | number[])[]).map((entry) => (typeof entry === 'number' ? formatValue(entry) : formatNumbers(entry))).join(', ')}]`;
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
