import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsExact, acceptsRounded, decimalsOf, neededDecimals, roundHalfAway } from './tolerance.ts';

describe('tolerance', () => {
  it('counts the decimals JSON writes', () => {
    expect([decimalsOf(3), decimalsOf(2.5), decimalsOf(48.24), decimalsOf(1e-7), decimalsOf(1.5e-7), decimalsOf(-0.125)]).toEqual([0, 1, 2, 7, 8, 3]);
  });

  it('needs at least 2 decimals and 3 significant digits in exact mode', () => {
    expect([neededDecimals(48.19), neededDecimals(0.7), neededDecimals(0.000437), neededDecimals(0)]).toEqual([2, 3, 6, 2]);
  });

  it('exact mode: a number correct to the decimals written is accepted, a coarse or wrong one is not', () => {
    expect(acceptsExact(48.2, 48.1977625)).toBe(true); // read as 48.20
    expect(acceptsExact(48.19, 48.1977625)).toBe(true); // truncated
    expect(acceptsExact(48.1978, 48.1977625)).toBe(true);
    expect(acceptsExact(48.24, 48.1977625)).toBe(false);
    expect(acceptsExact(1, 0.7)).toBe(false);
    expect(acceptsExact(0.0004, 0.000437)).toBe(false);
    expect(acceptsExact(0, 0.000437)).toBe(false);
    expect(acceptsExact(0.000437, 0.00043699580686552684)).toBe(true);
    expect(acceptsExact(9.011000000000001, 9.011)).toBe(true);
  });

  it('rounding mode: one unit of the last decimal', () => {
    expect(acceptsRounded(8.83, 8.825, 2)).toBe(true);
    expect(acceptsRounded(8.84, 8.83, 2)).toBe(true);
    expect(acceptsRounded(8.93, 8.83, 2)).toBe(false);
    expect(acceptsRounded(8.85, 8.83, 2)).toBe(false);
  });

  it('a value rounded to N decimals is always accepted in rounding mode N, and one off by ten units never', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.integer({ min: 0, max: 6 }), (v, n) => {
        const rounded = roundHalfAway(v, n);
        return acceptsRounded(rounded, v, n) && !acceptsRounded(rounded + 10 * 10 ** -n, v, n);
      }),
    );
  });

  it('a value written to 3 significant digits (at least 2 decimals) is always accepted in exact mode', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e4, noNaN: true }), fc.boolean(), (magnitude, negative) => {
        const v = negative ? -magnitude : magnitude;
        return acceptsExact(roundHalfAway(v, neededDecimals(v)), v);
      }),
    );
  });

  it('rounds tiny and huge numbers too', () => {
    expect(roundHalfAway(1e-7, 2)).toBe(0);
    expect(roundHalfAway(2.675, 2)).toBe(2.68);
    expect(roundHalfAway(-2.675, 2)).toBe(-2.68);
  });
});
