import { roundNumber } from './ops.ts';
import { Tensor } from './tensor.ts';

/** Options of {@link formatTensor}. */
export interface FormatOptions {
  /** Digits after the decimal point; `undefined` prints the shortest exact form of each number. */
  decimals?: number;
  /** Drop trailing zeros after rounding (`2.50` → `2.5`). Default false. */
  trimZeros?: boolean;
}

/**
 * Formats one number the way a worked solution prints it.
 *
 * @example
 * formatNumber(2.5, { decimals: 2 }); // '2.50'
 * formatNumber(1 / 3);                // '0.3333333333333333'
 */
export function formatNumber(v: number, { decimals, trimZeros = false }: FormatOptions = {}): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  let text = decimals === undefined ? String(v) : roundNumber(v, decimals).toFixed(decimals);
  if (trimZeros && text.includes('.') && !text.includes('e')) text = text.replace(/\.?0+$/, '');
  if (/^-0(\.0*)?$/.test(text)) text = text.slice(1);
  return text;
}

/**
 * Human formatting: a scalar as a number, a vector as `[a, b, c]`, a matrix as rows whose columns
 * line up on the decimal point.
 *
 * @example
 * formatTensor(tensor([[1, 0.25], [10, 2]]), { decimals: 2 });
 * // [  1.00  0.25 ]
 * // [ 10.00  2.00 ]
 */
export function formatTensor(t: Tensor, options: FormatOptions = {}): string {
  if (t.rank === 0) return formatNumber(t.item(), options);
  if (t.rank === 1) return `[${Array.from(t.data, (v) => formatNumber(v, options)).join(', ')}]`;
  const rows = t.shape[0]!;
  const cols = t.shape[1]!;
  const cells = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => formatNumber(t.data[i * cols + j]!, options)),
  );
  const intWidth = Array.from({ length: cols }, (_, j) => Math.max(0, ...cells.map((r) => integerPart(r[j]!).length)));
  const fracWidth = Array.from({ length: cols }, (_, j) => Math.max(0, ...cells.map((r) => fractionPart(r[j]!).length)));
  return cells
    .map((row) => `[ ${row.map((c, j) => integerPart(c).padStart(intWidth[j]!) + fractionPart(c).padEnd(fracWidth[j]!)).join('  ')} ]`)
    .join('\n');
}

const integerPart = (cell: string): string => cell.split('.')[0]!;
const fractionPart = (cell: string): string => (cell.includes('.') ? cell.slice(cell.indexOf('.')) : '');
