import { type NestedArray, Tensor, tensor } from './tensor.ts';
import { roundNumber } from './round.ts';

/** How numbers are written. */
export interface NumberFormat {
  /** Digits after the decimal point (rounded half away from zero); `undefined` prints the shortest exact form. */
  decimals?: number;
  /** Drop trailing zeros after rounding (`2.50` → `2.5`). Default false. */
  trimZeros?: boolean;
  /** Below this magnitude, `decimals` counts significant digits instead (`0.000123457` rather than `0.000123`). */
  significantBelow?: number;
  /** The minus sign: `-` (default, also for LaTeX) or the typographic `−`. */
  minus?: '-' | '−';
  /** Non-finite numbers as `∞`, `−∞`, `NaN` (default) or as JavaScript writes them (`Infinity`). */
  nonFinite?: 'symbol' | 'js';
}

/**
 * How a tensor is laid out: `aligned` (a matrix as rows whose columns line up on the decimal
 * point, for terminals), `inline` (`[[1, 2], [3, 4]]` on one line) or `latex` (a `bmatrix`). In
 * every layout a vector is written as the same list of entries — `[a, b, c]` in text, and the
 * column it is (`\begin{bmatrix} a \\ b \\ c \end{bmatrix}`) in LaTeX.
 */
export type TensorLayout = 'aligned' | 'inline' | 'latex';

/** Options of {@link formatTensor}. */
export interface FormatOptions extends NumberFormat {
  /** Default `aligned`. */
  layout?: TensorLayout;
}

/**
 * Formats one number the way a worked solution prints it.
 *
 * @example
 * formatNumber(2.5, { decimals: 2 });                  // '2.50'
 * formatNumber(2.5, { decimals: 2, trimZeros: true }); // '2.5'
 * formatNumber(-0.0001, { decimals: 2 });             // '0.00'
 * formatNumber(-1.5, { minus: '−' });                  // '−1.5'
 * formatNumber(1 / 3);                                 // '0.3333333333333333'
 */
export function formatNumber(v: number, { decimals, trimZeros = false, significantBelow, minus = '-', nonFinite = 'symbol' }: NumberFormat = {}): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return nonFinite === 'js' ? String(v) : v > 0 ? '∞' : '−∞';
  let text: string;
  if (decimals === undefined) text = String(v);
  else if (significantBelow !== undefined && Math.abs(v) < significantBelow && v !== 0) text = String(Number(v.toPrecision(Math.max(1, decimals))));
  else text = roundNumber(v, decimals).toFixed(decimals);
  if (trimZeros && text.includes('.') && !text.includes('e')) text = text.replace(/\.?0+$/, '');
  if (/^-0(\.0*)?$/.test(text)) text = text.slice(1);
  return minus === '−' && text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/**
 * Lays out already formatted entries (row-major) in the shape of a tensor: a scalar as its one
 * entry, a vector as `[a, b]` (LaTeX: a column), a matrix as `[[a, b], [c, d]]` (LaTeX: a
 * `bmatrix` of rows). Worked solutions use it for entries that are formulas, e.g. `0.4·1 + 0.5·2`.
 *
 * @example
 * layoutEntries(['1', '2'], [2], 'inline');           // '[1, 2]'
 * layoutEntries(['1', '2'], [2], 'latex');            // '\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}'
 * layoutEntries(['a', 'b', 'c', 'd'], [2, 2], 'inline'); // '[[a, b], [c, d]]'
 */
export function layoutEntries(entries: readonly string[], shape: readonly number[], layout: 'inline' | 'latex'): string {
  const latex = layout === 'latex';
  if (shape.length === 0) return entries[0] ?? '';
  if (shape.length === 1) return latex ? `\\begin{bmatrix} ${entries.join(' \\\\ ')} \\end{bmatrix}` : `[${entries.join(', ')}]`;
  const [rows, cols] = shape as [number, number];
  const lines = Array.from({ length: rows }, (_, i) => entries.slice(i * cols, (i + 1) * cols));
  return latex
    ? `\\begin{bmatrix} ${lines.map((l) => l.join(' & ')).join(' \\\\ ')} \\end{bmatrix}`
    : `[${lines.map((l) => `[${l.join(', ')}]`).join(', ')}]`;
}

/**
 * Formats a tensor (or plain numbers: a number, an array, an array of rows) in one of the
 * {@link TensorLayout}s. The `aligned` layout writes a vector on one line and a matrix as rows
 * whose columns line up on the decimal point.
 *
 * @example
 * formatTensor(tensor([[1, 0.25], [10, 2]]), { decimals: 2 });
 * // [  1.00  0.25 ]
 * // [ 10.00  2.00 ]
 * formatTensor([[1, 2], [3, 4]], { layout: 'inline' }); // '[[1, 2], [3, 4]]'
 * formatTensor(tensor([1, 2]), { layout: 'latex' });    // '\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}'
 */
export function formatTensor(value: Tensor | NestedArray, options: FormatOptions = {}): string {
  const { layout = 'aligned', ...numberFormat } = options;
  if (!(value instanceof Tensor)) {
    // Plain numbers as given (a submission may be ragged): written as they are nested.
    if (layout === 'inline') return formatNested(value, numberFormat);
    return formatTensor(tensor(value), options);
  }
  const cells = Array.from(value.data, (v) => formatNumber(v, numberFormat));
  if (layout !== 'aligned' || value.rank < 2) return layoutEntries(cells, value.shape, layout === 'latex' ? 'latex' : 'inline');
  const cols = value.shape[1]!;
  const rows = Array.from({ length: value.shape[0]! }, (_, i) => cells.slice(i * cols, (i + 1) * cols));
  const intWidth = Array.from({ length: cols }, (_, j) => Math.max(0, ...rows.map((r) => integerPart(r[j]!).length)));
  const fracWidth = Array.from({ length: cols }, (_, j) => Math.max(0, ...rows.map((r) => fractionPart(r[j]!).length)));
  return rows
    .map((row) => `[ ${row.map((c, j) => integerPart(c).padStart(intWidth[j]!) + fractionPart(c).padEnd(fracWidth[j]!)).join('  ')} ]`)
    .join('\n');
}

function formatNested(value: NestedArray | readonly number[], format: NumberFormat): string {
  if (typeof value === 'number') return formatNumber(value, format);
  return `[${(value as readonly (number | readonly number[])[]).map((entry) => formatNested(entry, format)).join(', ')}]`;
}

const integerPart = (cell: string): string => cell.split('.')[0]!;
const fractionPart = (cell: string): string => (cell.includes('.') ? cell.slice(cell.indexOf('.')) : '');

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Spaces between columns (default 2). */
  gap?: number;
  /** Draw a rule of `-` under the header (default true). */
  rule?: boolean;
}

/**
 * A plain-text table: every column as wide as its widest cell (a cell may hold several lines;
 * widths count characters, not UTF-16 units), cells left-aligned, a rule under the header.
 * Returns the lines, so a caller can style the header.
 *
 * @example
 * formatTable(['name', 'value'], [['u1', '2.55'], ['∂L/∂u1', '0']]);
 * // ['name    value', '------  -----', 'u1      2.55 ', '∂L/∂u1  0    ']
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], { gap = 2, rule = true }: TableOptions = {}): string[] {
  const all = [header, ...rows];
  const length = (text: string) => [...text].length;
  const widths = header.map((_, j) => Math.max(...all.map((row) => Math.max(...(row[j] ?? '').split('\n').map(length)))));
  const line = (row: readonly string[]) => row.map((cell, j) => cell + ' '.repeat(Math.max(0, widths[j]! - length(cell)))).join(' '.repeat(gap));
  return [line(header), ...(rule ? [widths.map((w) => '-'.repeat(w)).join(' '.repeat(gap))] : []), ...rows.map(line)];
}
