/**
 * How large the numbers of a problem's exact arithmetic grow, from the decimals of its values:
 * what decides whether an exact operation stays in the rationals' fast decimal form (an integer
 * and a power of ten, both small) or falls to BigInt fractions, ten times dearer. Counted per
 * expression node from the values' decimal places and magnitudes, before anything is computed.
 */

/**
 * The size of the exact numbers of a value: every entry is `int / 10^scale`, with `log10 |int|`
 * at most `digits`. `inexact`: computed in float64 (sigmoid, exp, …), so its ops cost no exact work.
 */
export interface DecimalSize {
  digits: number;
  scale: number;
  inexact?: boolean;
}

/** The fast decimal form holds integers below 2^53 with at most 22 decimals (`Rational` of `@chainrule/tensor`). */
const FAST_DIGITS = Math.log10(2 ** 53);
const FAST_SCALE = 22;
const POW10 = Array.from({ length: FAST_SCALE + 1 }, (_, i) => 10 ** i);

/** A value's size when it is nothing exact (an input without a value: a symbol). */
export const UNIT: DecimalSize = Object.freeze({ digits: 0, scale: 0 });
const INEXACT: DecimalSize = Object.freeze({ digits: 0, scale: 0, inexact: true });

/**
 * The decimal size of one number as the problem writes it (its shortest round-trip decimal):
 * 0.25 → 25 / 10² (digits 1.4, scale 2); a number with more than 22 decimals gets scale 23 — past
 * the fast form from the start.
 *
 * @example
 * numberSize(0.125); // { digits: 2.1, scale: 3 }
 */
export function numberSize(value: number): DecimalSize {
  const magnitude = Math.abs(value);
  if (magnitude === 0 || !Number.isFinite(magnitude)) return UNIT;
  for (let scale = 0; scale <= FAST_SCALE; scale++) {
    const int = Math.round(magnitude * POW10[scale]!);
    if (int / POW10[scale]! === magnitude) return { digits: Math.log10(int), scale };
  }
  return { digits: Math.log10(magnitude) + FAST_SCALE + 1, scale: FAST_SCALE + 1 };
}

/**
 * The largest decimal size over the entries of a value (a number, a vector, a matrix).
 *
 * @example
 * valueSize([[0.5, 12], [3, 0.25]]); // digits of 1200 / 10², scale 2
 */
export function valueSize(value: unknown): DecimalSize {
  if (typeof value === 'number') return numberSize(value);
  let digits = 0;
  let scale = 0;
  const sizes: DecimalSize[] = [];
  const visit = (entry: unknown) => {
    if (typeof entry === 'number') sizes.push(numberSize(entry));
    else if (Array.isArray(entry)) for (const item of entry) visit(item);
  };
  visit(value);
  for (const size of sizes) scale = Math.max(scale, size.scale);
  // Aligned to the common scale, as the fast form adds them.
  for (const size of sizes) digits = Math.max(digits, size.digits + scale - size.scale);
  return { digits, scale };
}

/**
 * The size of a product of `a` and `b` summed over `terms` products (a matrix product's inner
 * dimension; 1 elementwise): the integers multiply, the scales add.
 *
 * @example
 * productSize(numberSize(0.5), numberSize(0.25), 4); // 5·25·4 = 500 / 10³
 */
export function productSize(a: DecimalSize, b: DecimalSize, terms = 1): DecimalSize {
  if (a.inexact || b.inexact) return INEXACT;
  return { digits: a.digits + b.digits + Math.log10(Math.max(1, terms)), scale: a.scale + b.scale };
}

/**
 * The size of `a ± b`: aligned to the larger scale, one digit of carry.
 *
 * @example
 * sumSize(numberSize(0.5), numberSize(3)); // 35 / 10¹
 */
export function sumSize(a: DecimalSize, b: DecimalSize): DecimalSize {
  if (a.inexact || b.inexact) return INEXACT;
  const scale = Math.max(a.scale, b.scale);
  return { digits: Math.max(a.digits + scale - a.scale, b.digits + scale - b.scale) + Math.log10(2), scale };
}

/**
 * The size of `a / b`: a divisor of only 2s and 5s keeps a decimal (1/4 = 25 / 10²), any other
 * makes a fraction that is no decimal — BigInt from there on.
 *
 * @example
 * quotientSize(numberSize(3), numberSize(2)); // 15 / 10¹
 */
export function quotientSize(a: DecimalSize, b: DecimalSize, divisor: number | undefined): DecimalSize {
  if (a.inexact || b.inexact) return INEXACT;
  if (divisor === undefined || !Number.isInteger(divisor) || divisor === 0) return { digits: a.digits + FAST_DIGITS, scale: FAST_SCALE + 1 };
  let rest = Math.abs(divisor);
  let twos = 0;
  let fives = 0;
  while (rest % 2 === 0) (rest /= 2), twos++;
  while (rest % 5 === 0) (rest /= 5), fives++;
  if (rest !== 1) return { digits: a.digits + FAST_DIGITS, scale: FAST_SCALE + 1 };
  // 1 / (2^t 5^f) = 2^(s−t) 5^(s−f) / 10^s with s = max(t, f).
  const scale = Math.max(twos, fives);
  return { digits: a.digits + (scale - twos) * Math.log10(2) + (scale - fives) * Math.log10(5), scale: a.scale + scale };
}

/** The size of a value computed in float64. */
export const inexactSize = (): DecimalSize => INEXACT;

/** Digits past the fast form at which a BigInt operation costs its full price (~100-digit numbers: a 300-bit BigInt). */
const FULL_PRICE_EXCESS = 30;

/**
 * The price of an exact operation on numbers of this size: `fastNs` in the fast decimal form,
 * rising to `bigintNs` as the numbers outgrow it (BigInt arithmetic on a number just past 2^53
 * costs little more than the fast form; on 100-digit numbers, ten times as much).
 *
 * @example
 * exactPrice(numberSize(0.25), 2_000, 20_000); // 2000
 */
export function exactPrice(size: DecimalSize, fastNs: number, bigintNs: number): number {
  if (size.inexact) return 0;
  const excess = Math.max(0, size.digits - FAST_DIGITS) + Math.max(0, size.scale - FAST_SCALE);
  return fastNs + (bigintNs - fastNs) * Math.min(1, excess / FULL_PRICE_EXCESS);
}

/**
 * Whether exact operations on numbers of this size stay in the fast decimal form.
 *
 * @example
 * staysFast(numberSize(0.25)); // true
 */
export function staysFast(size: DecimalSize): boolean {
  return size.inexact === true || (size.digits <= FAST_DIGITS && size.scale <= FAST_SCALE);
}
