/**
 * Exact arithmetic for answer keys: rationals (tensors of them are in exact-tensor.ts). A number
 * given in a problem is read as the decimal it is written as (0.1 is 1/10, not the binary double
 * nearest to it), so a chain of rational ops (+, −, ×, matrix product, transpose, ReLU, sums,
 * division by a non-zero) gives the exact answer, converted to the nearest double only at the end.
 *
 * A rational is held in one of two forms. The fast one is a decimal `int / 10^scale` with `int` a
 * safe integer (|int| < 2^53, so float64 holds it exactly) and `scale` ≤ 22 (so 10^scale is an
 * exact double): + aligns the scales, × adds them, and every result is checked to stay a safe
 * integer, so the arithmetic is exact integer arithmetic done in float64 — and the nearest double
 * is the one IEEE division `int / 10^scale` gives, correctly rounded. Anything else (a result that
 * would overflow, a fraction that is not a decimal such as 1/3, a huge integer) is held as BigInt
 * numerator and denominator in lowest terms; a BigInt result that is a small decimal again goes
 * back to the fast form.
 */

const MAX_INT = Number.MAX_SAFE_INTEGER;
const MAX_SCALE = 22;
/** 10^k for k = 0…22, each an exact double. */
const POW10: readonly number[] = Array.from({ length: MAX_SCALE + 1 }, (_, k) => 10 ** k);
const POW10_BIG: readonly bigint[] = Array.from({ length: MAX_SCALE + 1 }, (_, k) => 10n ** BigInt(k));
/** Marks the BigInt form in `scale`. */
const NOT_DECIMAL = -1;

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

const bigBitLength = (v: bigint): number => (v === 0n ? 0 : (v < 0n ? -v : v).toString(2).length);

/** The bit length of a non-negative safe integer, exactly (no logarithm). */
function numberBitLength(v: number): number {
  if (v < 2 ** 32) return 32 - Math.clz32(v);
  return 64 - Math.clz32(Math.floor(v / 2 ** 32));
}

/** Bit lengths of 2^a · 5^b for a, b = 0…22: the denominators of decimals in lowest terms. */
const DENOMINATOR_BITS: readonly number[] = Array.from({ length: (MAX_SCALE + 1) ** 2 }, (_, i) =>
  bigBitLength(2n ** BigInt(Math.floor(i / (MAX_SCALE + 1))) * 5n ** BigInt(i % (MAX_SCALE + 1))),
);

/**
 * A rational number (see the module comment for its two forms). `num`/`den` read it in lowest
 * terms, den > 0.
 *
 * @example
 * Rational.fromNumber(0.1).add(Rational.fromNumber(0.2)).toNumber(); // 0.3 (not 0.30000000000000004)
 * Rational.of(1n, 3n).toString();                                    // '1/3'
 */
export class Rational {
  /** The decimal form's integer (0 in the BigInt form). */
  private readonly int: number;
  /** The decimal form's scale, 0…22, without trailing zeros in `int` when above 0; NOT_DECIMAL in the BigInt form. */
  private readonly scale: number;
  /** Lowest terms; computed on first read for a decimal. */
  private numerator: bigint | undefined;
  private denominator: bigint | undefined;

  private constructor(int: number, scale: number, num: bigint | undefined, den: bigint | undefined) {
    this.int = int;
    this.scale = scale;
    this.numerator = num;
    this.denominator = den;
  }

  static readonly ZERO = new Rational(0, 0, undefined, undefined);
  static readonly ONE = new Rational(1, 0, undefined, undefined);

  /** `int / 10^scale` (|int| ≤ MAX_INT, scale ≤ 22), trailing zeros removed. */
  private static decimal(int: number, scale: number): Rational {
    if (int === 0) return Rational.ZERO;
    while (scale > 0 && int % 10 === 0) {
      int /= 10;
      scale--;
    }
    return new Rational(int, scale, undefined, undefined);
  }

  /** n/d reduced; d must not be 0. @example Rational.of(2n, 4n).toString() // '1/2' */
  static of(num: bigint, den = 1n): Rational {
    if (den === 0n) throw new RangeError('a rational with denominator 0');
    if (den < 0n) [num, den] = [-num, -den];
    const g = gcd(num, den);
    if (g > 1n) [num, den] = [num / g, den / g];
    return Rational.decimalOf(num, den) ?? new Rational(0, NOT_DECIMAL, num, den);
  }

  /** The fast form of n/d in lowest terms, if it is a decimal that fits. */
  private static decimalOf(num: bigint, den: bigint): Rational | undefined {
    if (num < -9007199254740991n || num > 9007199254740991n) return undefined;
    if (den === 1n) return Rational.decimal(Number(num), 0);
    let twos = 0;
    let fives = 0;
    let rest = den;
    while ((rest & 1n) === 0n && twos <= MAX_SCALE) {
      rest >>= 1n;
      twos++;
    }
    while (rest % 5n === 0n && fives <= MAX_SCALE) {
      rest /= 5n;
      fives++;
    }
    if (rest !== 1n || twos > MAX_SCALE || fives > MAX_SCALE) return undefined;
    const scale = Math.max(twos, fives);
    const int = num * (POW10_BIG[scale]! / den);
    if (int < -9007199254740991n || int > 9007199254740991n) return undefined;
    return new Rational(Number(int), scale, num, den);
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
    if (Number.isInteger(v) && Math.abs(v) <= MAX_INT) return Rational.decimal(v, 0);
    // The fewest decimals that give v back: the shortest round-trip decimal (one candidate per scale
    // while |int| < 2^51, far from where two decimals of one scale could round to the same double).
    for (let scale = 1; scale <= MAX_SCALE; scale++) {
      const int = Math.round(v * POW10[scale]!);
      if (Math.abs(int) >= 2 ** 51) break;
      if (int / POW10[scale]! === v) return Rational.decimal(int, scale);
    }
    return Rational.fromDecimalString(String(v));
  }

  /** `'2.5e-7'` as a rational. */
  private static fromDecimalString(text: string): Rational {
    const [mantissa = '0', exponentText] = text.split('e');
    const exponent = Number(exponentText ?? 0);
    const dot = mantissa.indexOf('.');
    const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    const scale = (dot < 0 ? 0 : mantissa.length - dot - 1) - exponent;
    const n = BigInt(digits);
    return scale >= 0 ? Rational.of(n, 10n ** BigInt(scale)) : Rational.of(n * 10n ** BigInt(-scale), 1n);
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
    const known = SIMPLEST.get(v);
    if (known !== undefined) return known;
    const found = Rational.findSimplest(v);
    if (found && SIMPLEST.size < SIMPLEST_CACHE_SIZE) SIMPLEST.set(v, found);
    return found;
  }

  private static findSimplest(v: number): Rational | undefined {
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

  /**
   * Σ a[aStart + i·aStep] · b[bStart + i·bStep] for i < count: one entry of a matrix product,
   * accumulated in the decimal form without a rational per term while every term fits.
   */
  static dot(a: readonly Rational[], aStart: number, aStep: number, b: readonly Rational[], bStart: number, bStep: number, count: number): Rational {
    let int = 0;
    let scale = 0;
    let i = 0;
    for (; i < count; i++) {
      const p = a[aStart + i * aStep]!;
      const q = b[bStart + i * bStep]!;
      if (p.scale < 0 || q.scale < 0) break;
      let product = p.int * q.int;
      let productScale = p.scale + q.scale;
      if (product === 0) continue;
      if (Math.abs(product) > MAX_INT || productScale > MAX_SCALE) break;
      let total = int;
      if (productScale < scale) product *= POW10[scale - productScale]!;
      else if (productScale > scale) total *= POW10[productScale - scale]!;
      if (productScale < scale) productScale = scale;
      const sum = total + product;
      if (Math.abs(total) > MAX_INT || Math.abs(product) > MAX_INT || Math.abs(sum) > MAX_INT) break;
      int = sum;
      scale = productScale;
    }
    let result = Rational.decimal(int, scale);
    for (; i < count; i++) result = result.add(a[aStart + i * aStep]!.mul(b[bStart + i * bStep]!));
    return result;
  }

  /** The numerator in lowest terms. */
  get num(): bigint {
    if (this.numerator === undefined) this.reduce();
    return this.numerator!;
  }

  /** The denominator in lowest terms, > 0. */
  get den(): bigint {
    if (this.denominator === undefined) this.reduce();
    return this.denominator!;
  }

  private reduce(): void {
    const num = BigInt(this.int);
    const den = POW10_BIG[this.scale]!;
    const g = gcd(num, den);
    this.numerator = num / g;
    this.denominator = den / g;
  }

  add(o: Rational): Rational {
    if (this.scale >= 0 && o.scale >= 0) {
      let a = this.int;
      let b = o.int;
      const scale = this.scale > o.scale ? this.scale : o.scale;
      if (this.scale < scale) a *= POW10[scale - this.scale]!;
      else if (o.scale < scale) b *= POW10[scale - o.scale]!;
      const sum = a + b;
      // Each step is exact while its result is a safe integer (an integer past 2^53 never rounds back below it).
      if (Math.abs(a) <= MAX_INT && Math.abs(b) <= MAX_INT && Math.abs(sum) <= MAX_INT) return Rational.decimal(sum, scale);
    }
    if (this.den === o.den) return Rational.of(this.num + o.num, this.den);
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return this.add(o.neg());
  }
  mul(o: Rational): Rational {
    if (this.scale >= 0 && o.scale >= 0) {
      if (this.int === 0 || o.int === 0) return Rational.ZERO;
      let product = this.int * o.int;
      let scale = this.scale + o.scale;
      if (Math.abs(product) <= MAX_INT) {
        // Trailing zeros may bring a scale past 22 back (0.5 · 0.2 = 0.1).
        while (scale > MAX_SCALE && product % 10 === 0) {
          product /= 10;
          scale--;
        }
        if (scale <= MAX_SCALE) return Rational.decimal(product, scale);
      }
    }
    if (this.num === 0n || o.num === 0n) return Rational.ZERO;
    return Rational.of(this.num * o.num, this.den * o.den);
  }
  neg(): Rational {
    if (this.scale >= 0) return this.int === 0 ? this : new Rational(-this.int, this.scale, undefined, undefined);
    return new Rational(0, NOT_DECIMAL, -this.num, this.den);
  }
  /** 1/this; undefined for 0. */
  recip(): Rational | undefined {
    if (this.scale >= 0 && this.int === 0) return undefined;
    return this.num === 0n ? undefined : Rational.of(this.den, this.num);
  }
  sign(): number {
    if (this.scale >= 0) return this.int > 0 ? 1 : this.int < 0 ? -1 : 0;
    return this.num > 0n ? 1 : this.num < 0n ? -1 : 0;
  }
  /** The larger of the bit lengths of numerator and denominator: how expensive the number has become. */
  bits(): number {
    if (this.scale < 0) return Math.max(bigBitLength(this.num), bigBitLength(this.den));
    // In lowest terms a decimal int/10^s is (int / 2^i / 5^j) / (2^(s−i) · 5^(s−j)).
    let rest = Math.abs(this.int);
    let twos = 0;
    let fives = 0;
    while (twos < this.scale && rest % 2 === 0 && rest > 0) {
      rest /= 2;
      twos++;
    }
    while (fives < this.scale && rest % 5 === 0 && rest > 0) {
      rest /= 5;
      fives++;
    }
    return Math.max(numberBitLength(rest), DENOMINATOR_BITS[(this.scale - twos) * (MAX_SCALE + 1) + (this.scale - fives)]!);
  }

  /** Whether {@link bits} is above `limit`; at once for a decimal of the fast form (at most 53 bits over 74). */
  bitsExceed(limit: number): boolean {
    if (this.scale >= 0 && limit >= 74) return false;
    return this.bits() > limit;
  }

  /**
   * Rounded to `decimals` places, half away from zero, exactly (as a student rounds by hand).
   *
   * @example
   * Rational.fromNumber(2.675)!.round(2).toNumber(); // 2.68
   */
  round(decimals: number): Rational {
    if (this.scale >= 0 && decimals >= 0) {
      if (this.scale <= decimals) return this;
      const unit = POW10[this.scale - decimals]!;
      const a = Math.abs(this.int);
      // % of doubles is exact, and so is the division of a multiple of `unit` by it.
      const r = a % unit;
      let q = (a - r) / unit;
      if (2 * r >= unit) q++;
      return Rational.decimal(this.int < 0 ? -q : q, decimals);
    }
    const scale = 10n ** BigInt(decimals);
    const a = (this.num < 0n ? -this.num : this.num) * scale;
    const q = (2n * a + this.den) / (2n * this.den); // floor(a/d + 1/2)
    return Rational.of(this.num < 0n ? -q : q, scale);
  }

  /** The double nearest to the rational (ties to even), as a correctly rounded division would give. @example Rational.of(1n, 3n).toNumber() // 0.3333333333333333 */
  toNumber(): number {
    // Both exact doubles: IEEE division rounds their quotient correctly.
    if (this.scale >= 0) return this.int / POW10[this.scale]!;
    const num = this.num;
    const den = this.den;
    if (num === 0n) return 0;
    const negative = num < 0n;
    const a = negative ? -num : num;
    // q = a·2^k / d with 55–56 significant bits; the remainder as a sticky bit keeps the final rounding exact.
    const k = 55 - (bigBitLength(a) - bigBitLength(den));
    const scaledA = k >= 0 ? a << BigInt(k) : a;
    const scaledD = k >= 0 ? den : den << BigInt(-k);
    let q = scaledA / scaledD;
    if (q * scaledD !== scaledA) q |= 1n;
    const value = Number(q) * 2 ** (-k >> 1) * 2 ** (-k - (-k >> 1));
    return negative ? -value : value;
  }

  /** Whether the decimal expansion ends (the denominator has no prime factor other than 2 and 5). */
  isFiniteDecimal(): boolean {
    if (this.scale >= 0) return true;
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
    if (this.scale === 0) return String(this.int);
    if (this.scale > 0) return decimalString(String(Math.abs(this.int)), this.int < 0, this.scale);
    if (this.den === 1n) return this.num.toString();
    if (!this.isFiniteDecimal()) return `${this.num}/${this.den}`;
    let places = 0;
    let scale = 1n;
    while ((this.num * scale) % this.den !== 0n) {
      places += 1;
      scale *= 10n;
    }
    const scaled = (this.num * scale) / this.den;
    return decimalString((scaled < 0n ? -scaled : scaled).toString(), scaled < 0n, places);
  }
}

/** `digits` with a decimal point `places` from the right: ('25', 3) → '0.025'. */
function decimalString(digits: string, negative: boolean, places: number): string {
  const padded = digits.padStart(places + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -places)}.${padded.slice(-places)}`;
}

/** Folded constants (½, 1/3) recur in every evaluation of a graph: their simplest fractions are kept. */
const SIMPLEST = new Map<number, Rational>();
const SIMPLEST_CACHE_SIZE = 4096;
