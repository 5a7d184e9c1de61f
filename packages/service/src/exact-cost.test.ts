import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactPrice, numberSize, productSize, quotientSize, staysFast, sumSize, valueSize } from './exact-cost.ts';

/** A decimal as BigInt integer and scale, read from its text without trailing zeros (the independent reference). */
function decimal(text: string): { int: bigint; scale: number } {
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const places = fraction.replace(/0+$/, '');
  return { int: BigInt(`${whole}${places}`), scale: places.length };
}
const digits = (int: bigint) => Math.log10(Number(int < 0n ? -int : int) || 1);

describe('decimal sizes', () => {
  it('reads a number as the decimal it is written as', () => {
    expect(numberSize(0.25)).toEqual({ digits: Math.log10(25), scale: 2 });
    expect(numberSize(-12.5)).toEqual({ digits: Math.log10(125), scale: 1 });
    expect(numberSize(3)).toEqual({ digits: Math.log10(3), scale: 0 });
    expect(numberSize(2.5e-7)).toEqual({ digits: Math.log10(25), scale: 8 });
    expect(numberSize(1e-30).scale).toBe(23);
    const matrix = valueSize([[0.5, 12], [3, 0.25]]);
    expect(matrix.scale).toBe(2);
    expect(matrix.digits).toBeCloseTo(Math.log10(1200), 12);
  });

  it('bounds the integer and the scale of products and sums, checked against BigInt arithmetic', () => {
    const text = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 6 })).map(([n, places]) => (n / 10 ** places).toFixed(places));
    fc.assert(
      fc.property(text, text, fc.integer({ min: 1, max: 64 }), (a, b, terms) => {
        const [x, y] = [decimal(a), decimal(b)];
        const [sx, sy] = [numberSize(Number(a)), numberSize(Number(b))];
        // terms products of at most a·b each, summed.
        const product = productSize(sx, sy, terms);
        expect(digits(x.int * y.int * BigInt(terms))).toBeLessThanOrEqual(product.digits + 1e-9);
        expect(product.scale).toBeLessThanOrEqual(x.scale + y.scale);
        const scale = Math.max(x.scale, y.scale);
        const sum = x.int * 10n ** BigInt(scale - x.scale) + y.int * 10n ** BigInt(scale - y.scale);
        expect(digits(sum)).toBeLessThanOrEqual(sumSize(sx, sy).digits + 1e-9);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a quotient by 2s and 5s a decimal; any other divisor leaves the fast form', () => {
    // 3 / 8 = 0.375 = 375 / 10³.
    expect(quotientSize(numberSize(3), numberSize(8), 8)).toEqual({ digits: Math.log10(3) + 3 * Math.log10(5), scale: 3 });
    expect(staysFast(quotientSize(numberSize(1), numberSize(2), 2))).toBe(true);
    expect(staysFast(quotientSize(numberSize(1), numberSize(3), 3))).toBe(false);
  });

  it('prices the fast form at its price and BigInt numbers up to the BigInt price', () => {
    expect(exactPrice(numberSize(0.25), 2, 20)).toBe(2);
    expect(exactPrice({ digits: 16.5, scale: 0 }, 2, 20)).toBeGreaterThan(2);
    expect(exactPrice({ digits: 100, scale: 30 }, 2, 20)).toBe(20);
    expect(exactPrice({ digits: 100, scale: 30, inexact: true }, 2, 20)).toBe(0);
  });
});
