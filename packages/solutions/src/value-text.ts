import { type Expr, opRecord } from '@chainrule/graph';
import { type ExactTensor, Rational, type Tensor, formatNumber, layoutEntries } from '@chainrule/tensor';

/**
 * An exact value longer than this (digits after the point of a decimal, or digits of a fraction's
 * numerator and denominator together) is shown to `decimals` places with `≈` instead: a worked
 * solution a student copies by hand stays readable.
 */
export const MAX_EXACT_DIGITS = 14;

/** How a value is laid out: `aligned` (terminal: matrix columns on the decimal point), `inline` (`[[1, 2], [3, 4]]`), `latex` (a bmatrix). */
export type ValueLayout = 'aligned' | 'inline' | 'latex';

/** Options of {@link entryText} and {@link valueText}. */
export interface ValueTextOptions {
  /** Places of a float64 value (or of an exact value too long to write out). */
  decimals: number;
  /** The minus sign: `−` in text (default), `-` in LaTeX and plain ASCII. */
  latex?: boolean;
  /** Parentheses around a negative number or a fraction, for an operand that follows an operator. */
  wrap?: boolean;
}

/**
 * One number as a worked solution writes it: its exact decimal where it ends (`4.32825`), else its
 * fraction (`1/3`, LaTeX `\frac{1}{3}`); a float64 value (no exact value known) to `decimals` places.
 *
 * @example
 * entryText(4.32825, Rational.fromNumber(4.32825), { decimals: 4 }); // '4.32825'
 * entryText(1 / 3, Rational.of(1n, 3n), { decimals: 4, latex: true }); // '\\frac{1}{3}'
 * entryText(0.59327, undefined, { decimals: 4 });                    // '0.5933'
 */
export function entryText(value: number, exact: Rational | undefined, options: ValueTextOptions): string {
  const latex = options.latex ?? false;
  const minus = latex ? '-' : '−';
  const shown = exact ? exactText(exact, latex) : undefined;
  const text = shown ?? `${exact ? (latex ? '\\approx ' : '≈') : ''}${formatNumber(value, { decimals: options.decimals, trimZeros: true, minus })}`;
  if (!options.wrap) return text;
  const negative = text.startsWith(minus);
  const fraction = shown !== undefined && !exact!.isFiniteDecimal();
  if (!negative && !(fraction && !latex)) return text;
  return latex ? `\\left(${text}\\right)` : `(${text})`;
}

function exactText(r: Rational, latex: boolean): string | undefined {
  const minus = latex ? '-' : '−';
  const sign = r.sign() < 0 ? minus : '';
  const magnitude = r.sign() < 0 ? r.neg() : r;
  if (magnitude.isFiniteDecimal()) {
    const decimal = magnitude.toString();
    const places = decimal.includes('.') ? decimal.length - decimal.indexOf('.') - 1 : 0;
    return places > MAX_EXACT_DIGITS ? undefined : sign + decimal;
  }
  const [num, den] = magnitude.toString().split('/') as [string, string];
  if (num.length + den.length > MAX_EXACT_DIGITS) return undefined;
  return latex ? `${sign}\\frac{${num}}{${den}}` : `${sign}${num}/${den}`;
}

/**
 * A whole value as a worked solution writes it: each entry by {@link entryText} (exact where
 * `exact` is given), laid out as a vector, a matrix or a number.
 *
 * @example
 * valueText(solved.values.get('u1')!, solved.exact.get('u1'), { decimals: 4, layout: 'inline' }); // '[2.55, 3.9, 2.5]'
 */
export function valueText(value: Tensor, exact: ExactTensor | undefined, options: ValueTextOptions & { layout: ValueLayout }): string {
  const entries = Array.from(value.data, (v, i) => entryText(v, exact?.data[i], { ...options, latex: options.layout === 'latex', wrap: false }));
  if (options.layout !== 'aligned' || value.rank < 2) return layoutEntries(entries, value.shape, options.layout === 'latex' ? 'latex' : 'inline');
  const cols = value.shape[1]!;
  const rows = Array.from({ length: value.shape[0]! }, (_, i) => entries.slice(i * cols, (i + 1) * cols));
  // Columns line up on the decimal point (a fraction on its slash).
  const split = (cell: string): [string, string] => {
    const at = cell.search(/[./]/);
    return at < 0 ? [cell, ''] : [cell.slice(0, at), cell.slice(at)];
  };
  const intWidth = Array.from({ length: cols }, (_, j) => Math.max(0, ...rows.map((r) => [...split(r[j]!)[0]].length)));
  const fracWidth = Array.from({ length: cols }, (_, j) => Math.max(0, ...rows.map((r) => [...split(r[j]!)[1]].length)));
  const pad = (s: string, width: number, start: boolean) => {
    const fill = ' '.repeat(Math.max(0, width - [...s].length));
    return start ? fill + s : s + fill;
  };
  return rows.map((row) => `[ ${row.map((c, j) => pad(split(c)[0], intWidth[j]!, true) + pad(split(c)[1], fracWidth[j]!, false)).join('  ')} ]`).join('\n');
}

/**
 * The exact value of an expression from the exact values of the nodes it reads, by the op table's
 * exact forwards; undefined where one op on the way has none (σ) or a node it reads is float64.
 * Post-order with an explicit stack, so a long sum is no deeper than it is wide.
 *
 * @example
 * exactValueOf(graph.node('u1').expression!, solved.exact)?.data[0]?.toString(); // '2.55'
 */
export function exactValueOf(expression: Expr, exact: ReadonlyMap<string, ExactTensor>, memo = new Map<Expr, ExactTensor | null>()): ExactTensor | undefined {
  const stack: [Expr, boolean][] = [[expression, false]];
  while (stack.length > 0) {
    const [e, argsDone] = stack.pop()!;
    if (memo.has(e)) continue;
    if (e.kind === 'ref') {
      memo.set(e, exact.get(e.id) ?? null);
    } else if (e.kind === 'const') {
      const r = Rational.simplest(e.value);
      memo.set(e, r ? { shape: [], data: [r] } : null);
    } else if (!argsDone) {
      stack.push([e, true]);
      for (const arg of e.args) if (!memo.has(arg)) stack.push([arg, false]);
    } else {
      const record = opRecord(e.op);
      const args = e.args.map((arg) => memo.get(arg) ?? null);
      memo.set(e, record.exact && args.every((a) => a !== null) ? (record.exact(args as ExactTensor[]) ?? null) : null);
    }
  }
  return memo.get(expression) ?? undefined;
}
