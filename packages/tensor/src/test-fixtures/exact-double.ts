/** Test references written without the product's rationals: BigInt fractions and a double's exact binary value. */

/** A fraction `num / den` in lowest terms with `den > 0`. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

/** `num / den` in lowest terms. @example reduced(2n, -4n) // { num: -1n, den: 2n } */
export const reduced = (num: bigint, den: bigint): Fraction => {
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
};

/** The exact binary value of a double, read from its bits. @example exactDouble(0.5) // { num: 1n, den: 2n } */
export function exactDouble(v: number): Fraction {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const power = (exponent === 0 ? 1 : exponent) - 1075;
  return power >= 0 ? reduced(sign * mantissa * 2n ** BigInt(power), 1n) : reduced(sign * mantissa, 2n ** BigInt(-power));
}
