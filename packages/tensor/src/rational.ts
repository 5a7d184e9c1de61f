/**
 * Exact arithmetic for answer keys: rationals with BigInt numerator and denominator, and tensors of
 * them in the same shapes and column convention as {@link Tensor}. A number given in a problem is
 * read as the decimal it is written as (0.1 is 1/10, not the binary double nearest to it), so a
 * chain of rational ops (+, −, ×, matrix product, transpose, ReLU, sums, division by a non-zero)
 * gives the exact answer, converted to the nearest double only at the end.
 */
import { type Shape, ShapeError } from './errors.ts';
import { broadcastTo, transpose } from './ops.ts';
import { broadcastShapes, matmulShape, sameShape } from './shape.ts';
import { Tensor } from './tensor.ts';

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

const bitLength = (v: bigint): number => (v === 0n ? 0 : (v < 0n ? -v : v).toString(2).length);

/**
 * A rational number n/d in lowest terms, d > 0.
 *
 * @example
 * Rational.fromNumber(0.1).add(Rational.fromNumber(0.2)).toNumber(); // 0.3 (not 0.30000000000000004)
 * Rational.of(1n, 3n).toString();                                    // '1/3'
 */
export class Rational {
  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);

  private constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {}

  /** n/d reduced; d must not be 0. @example Rational.of(2n, 4n).toString() // '1/2' */
  static of(num: bigint, den = 1n): Rational {
    if (den === 0n) throw new RangeError('a rational with denominator 0');
    if (den < 0n) [num, den] = [-num, -den];
    const g = gcd(num, den);
    return g > 1n ? new Rational(num / g, den / g) : new Rational(num, den);
  }

  /**
   * The decimal a finite double is written as (its shortest round-trip form): 0.1 → 1/10, 2.5e-7 → 1/4000000.
   * Undefined for NaN and ±Infinity.
   *
   * @example
   * Rational.fromNumber(3.9).toString(); // '39/10'
   */
  static fromNumber(v: number): Rational | undefined {
    if (!Number.isFinite(v)) return undefined;
    if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return new Rational(BigInt(v), 1n);
    const [mantissa = '0', exponentText] = String(v).split('e');
    const exponent = Number(exponentText ?? 0);
    const dot = mantissa.indexOf('.');
    const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    const scale = (dot < 0 ? 0 : mantissa.length - dot - 1) - exponent;
    const n = BigInt(digits);
    return scale >= 0 ? Rational.of(n, 10n ** BigInt(scale)) : new Rational(n * 10n ** BigInt(-scale), 1n);
  }

  /**
   * The simplest fraction that a double stands for: the first continued-fraction convergent of its
   * decimal that converts back to the same double (1/3 for 0.3333333333333333, 1/2 for 0.5), else the
   * decimal itself. For constants folded while a graph is built (½, 1/3).
   *
   * @example
   * Rational.simplest(1 / 3)!.toString(); // '1/3'
   */
  static simplest(v: number): Rational | undefined {
    const decimal = Rational.fromNumber(v);
    if (!decimal || decimal.den === 1n) return decimal;
    let [n, d] = [decimal.num, decimal.den];
    let [p0, q0, p1, q1] = [0n, 1n, 1n, 0n];
    while (d !== 0n && q1 < decimal.den) {
      let a = n / d;
      if (n % d !== 0n && n < 0n) a -= 1n; // floor for negatives
      [p0, q0, p1, q1] = [p1, q1, a * p1 + p0, a * q1 + q0];
      const convergent = Rational.of(p1, q1);
      if (convergent.toNumber() === v) return convergent;
      [n, d] = [d, n - a * d];
    }
    return decimal;
  }

  add(o: Rational): Rational {
    if (this.den === o.den) return Rational.of(this.num + o.num, this.den);
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return this.add(o.neg());
  }
  mul(o: Rational): Rational {
    if (this.num === 0n || o.num === 0n) return Rational.ZERO;
    return Rational.of(this.num * o.num, this.den * o.den);
  }
  neg(): Rational {
    return new Rational(-this.num, this.den);
  }
  /** 1/this; undefined for 0. */
  recip(): Rational | undefined {
    return this.num === 0n ? undefined : Rational.of(this.den, this.num);
  }
  sign(): number {
    return this.num > 0n ? 1 : this.num < 0n ? -1 : 0;
  }
  /** The larger of the bit lengths of numerator and denominator: how expensive the number has become. */
  bits(): number {
    return Math.max(bitLength(this.num), bitLength(this.den));
  }

  /**
   * Rounded to `decimals` places, half away from zero, exactly (as a student rounds by hand).
   *
   * @example
   * Rational.fromNumber(2.675)!.round(2).toNumber(); // 2.68
   */
  round(decimals: number): Rational {
    const scale = 10n ** BigInt(decimals);
    const a = (this.num < 0n ? -this.num : this.num) * scale;
    const q = (2n * a + this.den) / (2n * this.den); // floor(a/d + 1/2)
    return Rational.of(this.num < 0n ? -q : q, scale);
  }

  /** The double nearest to the rational (ties to even), as a correctly rounded division would give. @example Rational.of(1n, 3n).toNumber() // 0.3333333333333333 */
  toNumber(): number {
    if (this.num === 0n) return 0;
    const negative = this.num < 0n;
    const a = negative ? -this.num : this.num;
    // q = a·2^k / d with 55–56 significant bits; the remainder as a sticky bit keeps the final rounding exact.
    const k = 55 - (bitLength(a) - bitLength(this.den));
    const scaledA = k >= 0 ? a << BigInt(k) : a;
    const scaledD = k >= 0 ? this.den : this.den << BigInt(-k);
    let q = scaledA / scaledD;
    if (q * scaledD !== scaledA) q |= 1n;
    const value = Number(q) * 2 ** (-k >> 1) * 2 ** (-k - (-k >> 1));
    return negative ? -value : value;
  }

  /** Whether the decimal expansion ends (the denominator has no prime factor other than 2 and 5). */
  isFiniteDecimal(): boolean {
    let d = this.den;
    while (d % 2n === 0n) d /= 2n;
    while (d % 5n === 0n) d /= 5n;
    return d === 1n;
  }

  /**
   * The exact decimal where it ends (`19.95375`), else the fraction (`-1/3`).
   *
   * @example
   * Rational.fromNumber(7.925)!.mul(Rational.fromNumber(3.9)!).toString(); // '30.9075'
   */
  toString(): string {
    if (this.den === 1n) return this.num.toString();
    if (!this.isFiniteDecimal()) return `${this.num}/${this.den}`;
    let places = 0;
    let scale = 1n;
    while ((this.num * scale) % this.den !== 0n) {
      places += 1;
      scale *= 10n;
    }
    const scaled = (this.num * scale) / this.den;
    const digits = (scaled < 0n ? -scaled : scaled).toString().padStart(places + 1, '0');
    return `${scaled < 0n ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
  }
}

/**
 * A tensor of rationals: the shape and row-major order of {@link Tensor}.
 *
 * @example
 * const t = exactTensor(tensor([0.1, 0.2])); // [1/10, 1/5]
 */
export interface ExactTensor {
  readonly shape: Shape;
  readonly data: readonly Rational[];
}

/** The exact values of a tensor's entries as written (undefined if one is not finite). @example exactTensor(tensor([0.1])) */
export function exactTensor(t: Tensor): ExactTensor | undefined {
  const data: Rational[] = [];
  for (const v of t.data) {
    const r = Rational.fromNumber(v);
    if (!r) return undefined;
    data.push(r);
  }
  return { shape: t.shape, data };
}

/** The nearest doubles of an exact tensor. @example exactToTensor(exactTensor(tensor([0.1]))!).data[0] // 0.1 */
export function exactToTensor(t: ExactTensor): Tensor {
  return new Tensor(Float64Array.from(t.data, (r) => r.toNumber()), t.shape);
}

/** For each entry of `shape`, the index of the entry of `from` it reads when `from` is broadcast to `shape` (the tensor core's own rule). */
function gatherIndices(from: Shape, shape: Shape): Float64Array {
  const size = from.reduce((p, e) => p * e, 1);
  const index = new Tensor(Float64Array.from({ length: size }, (_, i) => i), from);
  return broadcastTo(index, shape).data;
}

/** An element-wise binary op with the tensor core's broadcasting. @example exactZip('add', a, b, (p, q) => p.add(q)) */
export function exactZip(op: string, a: ExactTensor, b: ExactTensor, f: (p: Rational, q: Rational) => Rational): ExactTensor {
  if (sameShape(a.shape, b.shape)) return { shape: a.shape, data: a.data.map((p, i) => f(p, b.data[i]!)) };
  const shape = broadcastShapes(op, a.shape, b.shape);
  const ai = gatherIndices(a.shape, shape);
  const bi = gatherIndices(b.shape, shape);
  return { shape, data: Array.from(ai, (i, n) => f(a.data[i]!, b.data[bi[n]!]!)) };
}

/** An element-wise unary op; undefined when `f` is (a reciprocal of 0). @example exactMap(t, (r) => r.neg()) */
export function exactMap(t: ExactTensor, f: (r: Rational) => Rational | undefined): ExactTensor | undefined {
  const data: Rational[] = [];
  for (const r of t.data) {
    const v = f(r);
    if (!v) return undefined;
    data.push(v);
  }
  return { shape: t.shape, data };
}

/** The matrix product with the shape rule of `matmul` (column convention). @example exactMatmul(W, x) */
export function exactMatmul(a: ExactTensor, b: ExactTensor): ExactTensor {
  const { m, n, k, shape } = matmulShape(a.shape, b.shape);
  const data: Rational[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let total = Rational.ZERO;
      for (let p = 0; p < k; p++) total = total.add(a.data[i * k + p]!.mul(b.data[p * n + j]!));
      data.push(total);
    }
  }
  return { shape, data };
}

/** The transpose, as `transpose` moves entries. @example exactTranspose(W) */
export function exactTranspose(t: ExactTensor): ExactTensor {
  const index = transpose(new Tensor(Float64Array.from(t.data, (_, i) => i), t.shape));
  return { shape: index.shape, data: Array.from(index.data, (i) => t.data[i]!) };
}

/** The sum of the entries (a scalar). @example exactSum(t) */
export function exactSum(t: ExactTensor): ExactTensor {
  return { shape: [], data: [t.data.reduce((s, r) => s.add(r), Rational.ZERO)] };
}

/** `t` broadcast to `shape`, as `broadcastTo`. @example exactBroadcastTo(b, [2, 3]) */
export function exactBroadcastTo(t: ExactTensor, shape: Shape): ExactTensor {
  if (sameShape(t.shape, shape)) return t;
  return { shape, data: Array.from(gatherIndices(t.shape, shape), (i) => t.data[i]!) };
}

/** `t` summed down to `shape`, as `sumToShape` (undoing a broadcast). @example exactSumToShape(g, [2]) */
export function exactSumToShape(t: ExactTensor, shape: Shape): ExactTensor {
  if (sameShape(t.shape, shape)) return t;
  const size = shape.reduce((p, e) => p * e, 1);
  // Which entry of the target each entry of the source was broadcast from.
  const target = gatherIndices(shape, t.shape);
  if (target.length !== t.data.length) throw new ShapeError('sumToShape', [t.shape, shape], 'the target does not broadcast to the source');
  const data: Rational[] = Array.from({ length: size }, () => Rational.ZERO);
  t.data.forEach((r, i) => {
    data[target[i]!] = data[target[i]!]!.add(r);
  });
  return { shape, data };
}
