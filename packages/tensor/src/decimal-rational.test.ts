import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactMatmul, exactTensor, exactToTensor, exactTranspose } from './exact-tensor.ts';
import { transpose } from './ops.ts';
import { Rational } from './rational.ts';
import { tensor } from './tensor.ts';
import { type Fraction, exactDouble, reduced } from './test-fixtures/exact-double.ts';

/*
 * The decimal fast form of Rational (int / 10^scale in float64) against a reference written here
 * with BigInt fractions only: every result must be the same fraction, whether it stayed in the
 * fast form or overflowed into BigInt, and convert to the same nearest double.
 */

/** The decimal `digits · 10^-scale`. */
const decimal = (digits: bigint, scale: number): Fraction => reduced(digits, 10n ** BigInt(scale));
const add = (a: Fraction, b: Fraction) => reduced(a.num * b.den + b.num * a.den, a.den * b.den);
const mul = (a: Fraction, b: Fraction) => reduced(a.num * b.num, a.den * b.den);
/** A double's shortest decimal, read from its printed form. */
function printedDecimal(v: number): Fraction {
  const [mantissa = '', exponent = '0'] = String(v).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const scale = fraction.length - Number(exponent);
  const digits = BigInt(whole + fraction);
  return scale >= 0 ? decimal(digits, scale) : reduced(digits * 10n ** BigInt(-scale), 1n);
}
/** The double nearest to a fraction, by comparing distances to neighbouring doubles exactly. */
function nearestDouble(f: Fraction, candidate: number): boolean {
  const distance = (x: number) => {
    const e = add(exactDouble(x), { num: -f.num, den: f.den });
    return e.num < 0n ? { num: -e.num, den: e.den } : e;
  };
  const here = distance(candidate);
  return [step(candidate, true), step(candidate, false)].every((other) => {
    const d = distance(other);
    return here.num * d.den <= d.num * here.den;
  });
}
const step = (v: number, up: boolean): number => {
  if (v === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  view.setBigInt64(0, view.getBigInt64(0) + (v > 0 === up ? 1n : -1n));
  return view.getFloat64(0);
};

const same = (r: Rational, f: Fraction) => {
  expect([r.num, r.den]).toEqual([f.num, f.den]);
  expect(nearestDouble(f, r.toNumber())).toBe(true);
};
const rational = (f: Fraction) => Rational.of(f.num, f.den);

/** Decimals from small to the edge of the fast form (|digits| near 2^53) and past it, with scales 0…24. */
const decimals = fc
  .tuple(
    fc.oneof(
      fc.bigInt({ min: -1000n, max: 1000n }),
      fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
      fc.bigInt({ min: 2n ** 52n - 1000n, max: 2n ** 53n + 1000n }),
      fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }),
    ),
    fc.integer({ min: 0, max: 24 }),
  )
  .map(([digits, scale]) => decimal(digits, scale));

describe('Rational in decimal form, against BigInt fractions', () => {
  it('reads a double as its printed decimal (the fast search agrees with the printed form)', () => {
    const doubles = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.tuple(fc.integer({ min: -(10 ** 9), max: 10 ** 9 }), fc.integer({ min: 0, max: 12 })).map(([n, s]) => n / 10 ** s),
      fc.tuple(fc.integer(), fc.integer({ min: 0, max: 22 })).map(([n, s]) => n / 10 ** s),
    );
    fc.assert(
      fc.property(doubles, (v) => {
        same(Rational.fromNumber(v)!, printedDecimal(v));
      }),
      { numRuns: 2000 },
    );
    for (const v of [0.1, 0.30000000000000004, 2.5e-7, 1e-300, 123456.789, 2 ** 52 + 0.5, 9007199254740991, 1e21, -0, 5e-324]) same(Rational.fromNumber(v)!, printedDecimal(v));
  });

  it('adds, subtracts, multiplies and negates exactly, in or out of the fast form', () => {
    fc.assert(
      fc.property(decimals, decimals, (a, b) => {
        same(rational(a).add(rational(b)), add(a, b));
        same(rational(a).sub(rational(b)), add(a, { num: -b.num, den: b.den }));
        same(rational(a).mul(rational(b)), mul(a, b));
        same(rational(a).neg(), { num: -a.num, den: a.den });
      }),
      { numRuns: 1500 },
    );
  });

  it('overflows into BigInt and comes back: past 2^53, past scale 22, a fraction that is no decimal', () => {
    const max = Rational.fromNumber(Number.MAX_SAFE_INTEGER)!;
    same(max.add(Rational.ONE), { num: 2n ** 53n, den: 1n });
    same(max.add(Rational.ONE).sub(Rational.ONE), { num: 2n ** 53n - 1n, den: 1n });
    same(max.mul(max), { num: (2n ** 53n - 1n) ** 2n, den: 1n });
    // Aligning 0.1 to 1e-20's scale overflows only with a large numerator.
    same(Rational.fromNumber(123456789.1)!.add(Rational.fromNumber(1e-20)!), add(decimal(1234567891n, 1), decimal(1n, 20)));
    const tiny = Rational.fromNumber(1e-12)!.mul(Rational.fromNumber(1e-12)!);
    same(tiny, decimal(1n, 24));
    expect(tiny.toString()).toBe('0.000000000000000000000001');
    same(tiny.mul(Rational.fromNumber(1e12)!), decimal(1n, 12));
    same(Rational.fromNumber(0.5)!.mul(Rational.fromNumber(2e-22)!), decimal(1n, 22));
    const third = Rational.of(1n, 3n);
    same(third.add(third).add(third), { num: 1n, den: 1n });
    expect(Rational.of(1n, 4n).toString()).toBe('0.25');
    same(Rational.fromNumber(0.3)!.recip()!, { num: 10n, den: 3n });
    same(Rational.fromNumber(0.8)!.recip()!, { num: 5n, den: 4n });
    expect(Rational.ZERO.recip()).toBeUndefined();
  });

  it('rounds half away from zero, prints, measures bits and signs as the fraction does', () => {
    fc.assert(
      fc.property(decimals, fc.integer({ min: 0, max: 12 }), (a, places) => {
        const r = rational(a);
        const unit = 10n ** BigInt(places);
        const scaled = (a.num < 0n ? -a.num : a.num) * unit;
        const q = (2n * scaled + a.den) / (2n * a.den);
        same(r.round(places), reduced(a.num < 0n ? -q : q, unit));
        const bits = (v: bigint) => (v === 0n ? 0 : (v < 0n ? -v : v).toString(2).length);
        expect(r.bits()).toBe(Math.max(bits(a.num), bits(a.den)));
        for (const limit of [0, 40, 60, 74, 80, 1024]) expect(r.bitsExceed(limit)).toBe(Math.max(bits(a.num), bits(a.den)) > limit);
        expect(r.sign()).toBe(a.num > 0n ? 1 : a.num < 0n ? -1 : 0);
        const sign = a.num < 0n ? '-' : '';
        const magnitude = a.num < 0n ? -a.num : a.num;
        const places10 = (() => {
          let k = 0;
          while ((10n ** BigInt(k)) % a.den !== 0n) k++;
          return k;
        })();
        const digits = (magnitude * 10n ** BigInt(places10) / a.den).toString().padStart(places10 + 1, '0');
        expect(r.toString()).toBe(places10 === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -places10)}.${digits.slice(-places10)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('a matrix product whose running sum overflows mid-way is still exact', () => {
    const big = 2 ** 52;
    const W = exactTensor(tensor([[big, big, -big, 0.5], [0.1, 0.2, 0.3, 1e-20]]))!;
    const x = exactTensor(tensor([1, 1, 1, 3]))!;
    const y = exactMatmul(W, x);
    same(y.data[0]!, add(decimal(2n ** 52n, 0), decimal(15n, 1)));
    same(y.data[1]!, add(decimal(6n, 1), decimal(3n, 20)));
    expect(y.data[1]!.toNumber()).toBe(0.6);
  });

  it('transposes a scalar, a vector and a matrix as the tensor core does', () => {
    for (const value of [tensor(2.5), tensor([0.1, 0.2, 0.3]), tensor([[0.1, 0.2, 0.3], [1, 2, 3]]), tensor([[1, 2]])]) {
      const flipped = exactToTensor(exactTranspose(exactTensor(value)!));
      expect([flipped.shape, flipped.toArray()]).toEqual([transpose(value).shape, transpose(value).toArray()]);
    }
  });
});
