import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomArray as random } from '@chainrule/bench';
import { gemm, gemmNaive } from './gemm.ts';


/** The product by dot products (i-j-p), and Σ_p |a_ip·b_pj| per entry as the scale for the tolerance. */
function reference(m: number, n: number, k: number, a: Float64Array, b: Float64Array) {
  const c = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        s += a[i * k + p]! * b[p * n + j]!;
        t += Math.abs(a[i * k + p]! * b[p * n + j]!);
      }
      c[i * n + j] = s;
      scale[i * n + j] = t;
    }
  }
  return { c, scale };
}

/**
 * Index of the first entry off by more than 1e-12 relative to the magnitude of its terms
 * (|c − ref| ≤ 1e-12·Σ|a·b|, which holds for any summation order), or -1.
 */
function firstMismatch(c: Float64Array, ref: { c: Float64Array; scale: Float64Array }): number {
  for (let i = 0; i < ref.c.length; i++) {
    if (!(Math.abs(c[i]! - ref.c[i]!) <= 1e-12 * ref.scale[i]! + Number.MIN_VALUE)) return i;
  }
  return -1;
}

function check(m: number, n: number, k: number, seed = 1): void {
  const a = random(m * k, seed);
  const b = random(k * n, seed + 1);
  const c = new Float64Array(m * n).fill(Number.NaN);
  gemm(m, n, k, a, b, c);
  const bad = firstMismatch(c, reference(m, n, k, a, b));
  expect(bad, `${m}×${k}·${k}×${n}: entry ${bad} is ${c[bad]}`).toBe(-1);
}

describe('gemm on hand-checked products', () => {
  it('multiplies 2×2 matrices', () => {
    const c = new Float64Array(4);
    gemm(2, 2, 2, Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), c);
    expect([...c]).toEqual([19, 22, 43, 50]);
  });

  it('multiplies non-square matrices', () => {
    // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12]
    const c = new Float64Array(4);
    gemm(2, 2, 3, Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(7, 8, 9, 10, 11, 12), c);
    expect([...c]).toEqual([58, 64, 139, 154]);
  });

  it('takes dot products, matrix-vector and outer products', () => {
    const dot = new Float64Array(1);
    gemm(1, 1, 3, Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6), dot);
    expect([...dot]).toEqual([32]);

    const mv = new Float64Array(3);
    gemm(3, 1, 2, Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(10, 1), mv);
    expect([...mv]).toEqual([12, 34, 56]);

    const outer = new Float64Array(6);
    gemm(2, 3, 1, Float64Array.of(2, -1), Float64Array.of(1, 2, 3), outer);
    expect([...outer]).toEqual([2, 4, 6, -1, -2, -3]);
  });

  it('leaves a matrix unchanged when multiplied by the identity', () => {
    const n = 40;
    const a = random(n * n, 7);
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    const c = new Float64Array(n * n);
    gemm(n, n, n, a, eye, c);
    expect(c).toEqual(a);
    gemm(n, n, n, eye, a, c);
    expect(c).toEqual(a);
  });

  it('sums integer products exactly across several k-blocks', () => {
    // a_ip = i + p, b_pj = p − j: c_ij = Σ_p (i + p)(p − j), exact in float64 at this size
    const m = 37;
    const n = 41;
    const k = 300;
    const a = new Float64Array(m * k).map((_, x) => Math.floor(x / k) + (x % k));
    const b = new Float64Array(k * n).map((_, x) => Math.floor(x / n) - (x % n));
    const c = new Float64Array(m * n);
    gemm(m, n, k, a, b, c);
    const s1 = (k * (k - 1)) / 2;
    const s2 = ((k - 1) * k * (2 * k - 1)) / 6;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) expect(c[i * n + j]).toBe(s2 + (i - j) * s1 - i * j * k);
    }
  });

  it('handles empty dimensions', () => {
    const c = new Float64Array(6).fill(Number.NaN);
    gemm(2, 3, 0, new Float64Array(0), new Float64Array(0), c);
    expect([...c]).toEqual([0, 0, 0, 0, 0, 0]);
    const untouched = Float64Array.of(9);
    gemm(0, 3, 4, new Float64Array(0), new Float64Array(12), untouched);
    gemm(3, 0, 4, new Float64Array(12), new Float64Array(0), untouched);
    expect([...untouched]).toEqual([9]);
  });

  it('rejects arrays too short for the dimensions', () => {
    const x = new Float64Array(4);
    expect(() => gemm(2, 2, 2, new Float64Array(3), x, x.slice())).toThrow(RangeError);
    expect(() => gemm(2, 2, 2, x, x.slice(), new Float64Array(3))).toThrow(RangeError);
    expect(() => gemm(-1, 2, 2, x, x.slice(), x.slice())).toThrow(RangeError);
  });

  it('propagates NaN and infinities where the naive loop does', () => {
    const m = 40;
    const n = 38;
    const k = 45;
    const a = random(m * k, 3);
    const b = random(k * n, 4);
    a[5 * k + 7] = Number.NaN;
    a[9 * k + 44] = Number.POSITIVE_INFINITY;
    b[44 * n + 3] = Number.NEGATIVE_INFINITY;
    b[10 * n + 37] = Number.POSITIVE_INFINITY;
    const c = new Float64Array(m * n);
    const expected = new Float64Array(m * n);
    gemm(m, n, k, a, b, c);
    gemmNaive(m, n, k, a, b, expected);
    for (let i = 0; i < c.length; i++) {
      if (Number.isFinite(expected[i]!)) expect(Number.isFinite(c[i]!)).toBe(true);
      else expect(c[i]).toBe(expected[i]);
    }
  });
});

describe('gemm against a naive triple loop', () => {
  const dim = fc.oneof(fc.constantFrom(0, 1, 2, 3, 7, 33), fc.integer({ min: 0, max: 70 }));

  it('agrees on random shapes to 1e-12 relative', () => {
    fc.assert(
      fc.property(dim, dim, dim, fc.integer(), (m, n, k, seed) => {
        const a = random(m * k, seed);
        const b = random(k * n, seed ^ 0x5bd1e995);
        const ref = reference(m, n, k, a, b);
        const c = new Float64Array(m * n).fill(Number.NaN);
        gemm(m, n, k, a, b, c);
        expect(firstMismatch(c, ref)).toBe(-1);
        gemmNaive(m, n, k, a, b, c.fill(Number.NaN));
        expect(firstMismatch(c, ref)).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    [255, 7, 1023],
    [1023, 33, 255],
    [33, 33, 33],
    [7, 1023, 255],
    [1, 255, 1023],
    [1023, 1, 255],
    [255, 255, 1],
    [129, 130, 257],
    [5, 1031, 260],
    [64, 64, 9],
  ])('agrees on %i×%i with k = %i (m×n, inner k)', (m, n, k) => check(m, n, k));
});

describe('gemm on views', () => {
  // [m, n, k]: the single-row and single-column paths, and the blocked path with edge tiles
  it.each([
    [1, 5, 4],
    [6, 1, 5],
    [3, 5, 4],
    [45, 37, 51],
  ])('%i×%i output, k = %i: reads and writes only its own windows', (m, n, k) => {
    for (const Buffer of [ArrayBuffer, SharedArrayBuffer]) {
      const size = 3 + m * k + 5 + k * n + 2 + m * n + 7;
      const whole = new Float64Array(new Buffer(size * 8)).fill(-12345.5);
      const a = whole.subarray(3, 3 + m * k);
      const b = whole.subarray(3 + m * k + 5, 3 + m * k + 5 + k * n);
      const cStart = 3 + m * k + 5 + k * n + 2;
      const c = whole.subarray(cStart, cStart + m * n + 7); // longer than m·n on purpose
      a.set(random(m * k, 11));
      b.set(random(k * n, 12));
      const before = whole.slice();

      gemm(m, n, k, a, b, c);

      expect(firstMismatch(c.subarray(0, m * n), reference(m, n, k, a, b))).toBe(-1);
      for (let i = 0; i < size; i++) {
        if (i < cStart || i >= cStart + m * n) expect(whole[i], `element ${i}`).toBe(before[i]);
      }
    }
  });
});

describe('gemm with transposed operands', () => {
  const transpose = (rows: number, cols: number, x: Float64Array) => {
    const t = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j]!;
    return t;
  };
  const dim = fc.oneof(fc.constantFrom(0, 1, 2, 3, 7, 33), fc.integer({ min: 0, max: 40 }));

  it('reads Aᵀ and Bᵀ in place, bit for bit the product of the copied transposes, and right against dot products', () => {
    fc.assert(
      fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.integer(), (m, n, k, transA, transB, seed) => {
        const a = random(m * k, seed);
        const b = random(k * n, seed ^ 0x5bd1e995);
        const copied = new Float64Array(m * n);
        gemm(m, n, k, a, b, copied);
        const stored = { a: transA ? transpose(m, k, a) : a, b: transB ? transpose(k, n, b) : b };
        const inPlace = new Float64Array(m * n).fill(Number.NaN);
        gemm(m, n, k, stored.a, stored.b, inPlace, transA, transB);
        expect(Array.from(inPlace)).toEqual(Array.from(copied));
        expect(firstMismatch(inPlace, reference(m, n, k, a, b))).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it('multiplies a hand-checked Aᵀ x and A Bᵀ', () => {
    // A = [1 2; 3 4] stored as Aᵀ = [1 3; 2 4]: A·[1, 1] = [3, 7]
    const c = new Float64Array(2);
    gemm(2, 1, 2, Float64Array.of(1, 3, 2, 4), Float64Array.of(1, 1), c, true);
    expect([...c]).toEqual([3, 7]);
    // [1 2; 3 4]·[5 6; 7 8] with B stored as Bᵀ = [5 7; 6 8]
    const d = new Float64Array(4);
    gemm(2, 2, 2, Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 7, 6, 8), d, false, true);
    expect([...d]).toEqual([19, 22, 43, 50]);
  });
});
