import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactMatmul, exactSumToShape, exactTensor, exactToTensor, exactTranspose, exactZip } from './exact-tensor.ts';
import { Rational } from './rational.ts';
import { tensor } from './tensor.ts';
import { exactDouble as exactBinaryValue } from './test-fixtures/exact-double.ts';

const r = (v: number) => Rational.fromNumber(v)!;

/** The exact binary value of a double, as a rational (independent of Rational.fromNumber). */
const exactDouble = (v: number): Rational => {
  const { num, den } = exactBinaryValue(v);
  return Rational.of(num, den);
};

function nextDouble(v: number, direction: 1 | -1): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, bits + (v >= 0 === direction > 0 ? 1n : -1n));
  return view.getFloat64(0);
}

describe('Rational', () => {
  it('reads a double as the decimal it is written as', () => {
    expect(r(0.1).toString()).toBe('0.1');
    expect(r(3.9).num).toBe(39n);
    expect(r(3.9).den).toBe(10n);
    expect(r(2.5e-7).toString()).toBe('0.00000025');
    expect(r(1e21).toString()).toBe('1000000000000000000000');
    expect(r(-0.125).toString()).toBe('-0.125');
    expect(Rational.fromNumber(Number.NaN)).toBeUndefined();
  });

  it('computes without binary noise: 0.1 + 0.2 is 0.3, 7.925 · 3.9 is 30.9075', () => {
    expect(r(0.1).add(r(0.2)).toNumber()).toBe(0.3);
    expect(r(7.925).mul(r(3.9)).toString()).toBe('30.9075');
    expect(Rational.of(1n, 3n).toString()).toBe('1/3');
    expect(Rational.of(-2n, 6n).toString()).toBe('-1/3');
  });

  it('reads a folded constant as the simplest fraction it stands for', () => {
    expect(Rational.simplest(1 / 3)!.toString()).toBe('1/3');
    expect(Rational.simplest(0.5)!.toString()).toBe('0.5');
    expect(Rational.simplest(-2 / 7)!.toString()).toBe('-2/7');
    expect(Rational.simplest(0.1)!.toString()).toBe('0.1');
    expect(Rational.simplest(3)!.toString()).toBe('3');
  });

  it('rounds half away from zero exactly', () => {
    expect(r(2.675).round(2).toNumber()).toBe(2.68);
    expect(r(-2.5).round(0).toNumber()).toBe(-3);
    expect(r(1.005).round(2).toNumber()).toBe(1.01);
    expect(r(0.004).round(2).toNumber()).toBe(0);
  });

  it('converts to the nearest double, like a correctly rounded division', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 30n }), (n, d) => {
        // Both fit a double exactly only when small; compare with the division of exact doubles then.
        const value = Rational.of(n, d).toNumber();
        if (Math.abs(Number(n)) < 2 ** 53 && Number(d) < 2 ** 53) expect(value).toBe(Number(n) / Number(d));
        // Independent check: neither neighbouring double is closer to n/d (distances compared exactly).
        const target = Rational.of(n, d);
        const distance = (x: number) => {
          const e = exactDouble(x).sub(target);
          return e.sign() < 0 ? e.neg() : e;
        };
        const here = distance(value);
        for (const other of [nextDouble(value, 1), nextDouble(value, -1)]) expect(here.sub(distance(other)).sign()).toBeLessThanOrEqual(0);
      }),
    );
    expect(Rational.of(1n, 3n).toNumber()).toBe(1 / 3);
    expect(Rational.of(10n ** 40n + 1n, 10n ** 20n).toNumber()).toBe(1e20);
  });

  it('fromNumber then toNumber is the identity on finite doubles', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), (v) => {
      expect(r(v).toNumber()).toBe(v === 0 ? 0 : v);
    }));
  });
});

describe('exact tensors', () => {
  it('broadcast, multiply and transpose with the tensor core’s shape rules', () => {
    const W = exactTensor(tensor([[0.4, 0.5], [0.2, 0.25]]))!;
    const x = exactTensor(tensor([1, 2]))!;
    expect(exactToTensor(exactMatmul(W, x)).toArray()).toEqual([1.4, 0.7]);
    expect(exactToTensor(exactTranspose(W)).toArray()).toEqual([[0.4, 0.2], [0.5, 0.25]]);
    expect(exactToTensor(exactZip('add', W, x, (p, q) => p.add(q))).toArray()).toEqual([[1.4, 1.5], [2.2, 2.25]]);
    expect(exactToTensor(exactSumToShape(W, [2])).toArray()).toEqual([0.9, 0.45]);
    expect(exactToTensor(exactSumToShape(W, [1, 2])).toArray()).toEqual([[0.6, 0.75]]);
  });
});
