import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNumber, formatTable, formatTensor, layoutEntries } from './format.ts';
import {
  add,
  allClose,
  broadcastTo,
  div,
  exp,
  log,
  map,
  matmul,
  maxAbs,
  mul,
  neg,
  outer,
  relu,
  scale,
  sigmoid,
  softmax,
  squaredNorm,
  sub,
  sum,
  sumToShape,
  tanh,
  transpose,
} from './ops.ts';
import { roundNumber, roundTo } from './round.ts';
import { broadcastShapes, matmulShape } from './shape.ts';
import { ShapeError, TensorValueError } from './errors.ts';
import { fromFlat, tensor } from './tensor.ts';

describe('tensor construction', () => {
  it('round-trips nested arrays', () => {
    expect(tensor([[1, 2], [3, 4]]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
    expect(tensor(7).toArray()).toBe(7);
  });
  it('rejects ragged matrices and non-numbers with the position', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/\[1\]: row has 1 values, row 0 has 2/);
    expect(() => tensor([[1, Number.NaN]])).toThrow(TensorValueError);
    expect(() => tensor([1, 'x' as unknown as number])).toThrow(/\[1\]: expected a number/);
  });
});

describe('matmul', () => {
  it('multiplies the sheet W1 by x (Assignment 9, Question 3)', () => {
    const w1 = tensor([[0.4, 0.5, 0.25, 0.1], [0.2, 0.25, 0.4, 0.5], [0.1, 0.75, 0.3, 0]]);
    const u1 = matmul(w1, tensor([1, 2, 3, 4]));
    expect(u1.shape).toEqual([3]);
    // 0.4+1+0.75+0.4, 0.2+0.5+1.2+2, 0.1+1.5+0.9+0
    expect(allClose(u1, tensor([2.55, 3.9, 2.5]))).toBe(true);
  });
  it('covers matrix·matrix, matrix·column and the outer product of a column and a row', () => {
    expect(matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]])).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(matmul(tensor([[1, 2], [3, 4]]), tensor([1, 1])).toArray()).toEqual([3, 7]);
    // u vᵀ for u = [1, 2], v = [3, 4]: a column times a row.
    expect(matmul(tensor([1, 2]), transpose(tensor([3, 4]))).toArray()).toEqual([[3, 4], [6, 8]]);
    // xᵀ y, the dot product 1·3 + 2·4, is a 1-vector (a 1×2 row times a column).
    expect(matmul(transpose(tensor([1, 2])), tensor([3, 4])).toArray()).toEqual([11]);
  });
  it('refuses a vector left of a matrix, naming the convention and the fix', () => {
    expect(() => matmul(tensor([1, 1]), tensor([[1, 2], [3, 4]]))).toThrow(ShapeError);
    expect(() => matmul(tensor([1, 1]), tensor([[1, 2], [3, 4]]))).toThrow(
      'matmul: shapes [2] and [2×2] do not fit (a vector is an n×1 column, so it cannot multiply a matrix of 2 rows from the left: write Wᵀ x, or give the vector as a 1×n matrix)',
    );
    // The same numbers as a 1×2 matrix are a row: [1, 1]·W = [4, 6].
    expect(matmul(tensor([[1, 1]]), tensor([[1, 2], [3, 4]])).toArray()).toEqual([[4, 6]]);
    expect(() => matmul(tensor([1, 2]), tensor([3, 4]))).toThrow(/a vector is an n×1 column/);
  });
  it('names both shapes when the inner dimensions differ, and refuses a scalar', () => {
    expect(() => matmul(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow('matmul: shapes [1×3] and [2] do not fit (inner dimensions 3 and 2 differ)');
    expect(() => matmul(tensor(2), tensor([1, 2]))).toThrow('matmul: shapes scalar and [2] do not fit (a scalar in a matrix product: write `a * x` to scale)');
    expect(() => matmul(tensor([[1, 2]]), tensor(2))).toThrow(/a scalar in a matrix product/);
  });
  it('takes a scalar as the 1×1 matrix where that fits', () => {
    expect(matmul(tensor(2), tensor([[1, 3]])).toArray()).toEqual([[2, 6]]);
    expect(matmul(tensor([[1], [3]]), tensor(2)).toArray()).toEqual([[2], [6]]);
    expect(matmul(tensor([1, 3]), tensor(2)).toArray()).toEqual([2, 6]);
    expect(matmul(tensor(2), tensor([5])).toArray()).toEqual([10]);
    expect(matmul(tensor(2), tensor(3)).toArray()).toBe(6);
  });
  it('has one shape rule, exported for other kernels', () => {
    expect(matmulShape([3, 4], [4])).toEqual({ m: 3, n: 1, k: 4, shape: [3] });
    expect(matmulShape([3, 4], [4, 5])).toEqual({ m: 3, n: 5, k: 4, shape: [3, 5] });
    expect(matmulShape([3], [1, 2])).toEqual({ m: 3, n: 2, k: 1, shape: [3, 2] });
    expect(matmulShape([], [1, 2])).toEqual({ m: 1, n: 2, k: 1, shape: [1, 2] });
    expect(() => matmulShape([2], [2, 3])).toThrow(ShapeError);
  });
  it('agrees with the definition on random shapes (C_ij = Σ_p A_ip B_pj)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (m, k, n) => {
        const a = tensor(Array.from({ length: m }, (_, i) => Array.from({ length: k }, (_, p) => i - 2 * p + 0.5)));
        const b = tensor(Array.from({ length: k }, (_, p) => Array.from({ length: n }, (_, j) => p * j - 1)));
        const c = matmul(a, b);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a.at(i, p) * b.at(p, j);
            expect(c.at(i, j)).toBeCloseTo(s, 12);
          }
        }
      }),
    );
  });
});

describe('element-wise ops', () => {
  it('computes hand-checked values', () => {
    expect(add(tensor([1, 2]), tensor([3, 4])).toArray()).toEqual([4, 6]);
    expect(sub(tensor([1, 2]), 1).toArray()).toEqual([0, 1]);
    expect(mul(tensor([1, 2]), tensor([3, 4])).toArray()).toEqual([3, 8]);
    expect(div(2, tensor([4, 8])).toArray()).toEqual([0.5, 0.25]);
    expect(scale(tensor([1, -2]), 0.5).toArray()).toEqual([0.5, -1]);
    expect(neg(tensor([1, -2])).toArray()).toEqual([-1, 2]);
    expect(relu(tensor([-1, 0, 2])).toArray()).toEqual([0, 0, 2]);
    expect(exp(tensor([0, 1])).toArray()).toEqual([1, Math.E]);
    expect(log(tensor([1, Math.E])).toArray()).toEqual([0, 1]);
  });
  it('sees a vector next to a matrix as a column', () => {
    // The sheet's convention: [1, 2] is the column [[1], [2]], added to every column.
    expect(add(tensor([[10, 20], [30, 40]]), tensor([1, 2])).toArray()).toEqual([[11, 21], [32, 42]]);
    expect(add(tensor([1, 2]), tensor([[10, 20], [30, 40]])).toArray()).toEqual([[11, 21], [32, 42]]);
    // A 1×2 matrix is a row and stretches down.
    expect(add(tensor([[1, 2], [3, 4]]), tensor([[10, 20]])).toArray()).toEqual([[11, 22], [13, 24]]);
    expect(mul(tensor([[1, 2, 3], [4, 5, 6]]), tensor([2, 10])).toArray()).toEqual([[2, 4, 6], [40, 50, 60]]);
    expect(add(tensor([1, 2, 3]), tensor([[10]])).toArray()).toEqual([[11], [12], [13]]);
    expect(add(tensor([1, 2]), tensor([5])).toArray()).toEqual([6, 7]);
    expect(() => add(tensor([[1, 2], [3, 4]]), tensor([1, 2, 3]))).toThrow('add: shapes [2×2] and [3] do not fit');
    // A row plus a column stretches both: entry (i, j) is row_j + column_i.
    expect(add(tensor([[1, 2, 3]]), tensor([1, 2, 3])).toArray()).toEqual([[2, 3, 4], [3, 4, 5], [4, 5, 6]]);
    expect(() => add(tensor([[1, 2, 3], [4, 5, 6]]), tensor([1, 2, 3]))).toThrow('add: shapes [2×3] and [3] do not fit');
    expect(() => add(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(broadcastShapes('add', [3], [3, 4])).toEqual([3, 4]);
    expect(broadcastShapes('add', [], [3])).toEqual([3]);
  });
  it('sums a broadcast gradient back to the operand shape, and broadcasts up', () => {
    // A column [2] of a 2×2 matrix collects the row sums 1+2, 3+4; a row [1×2] the column sums.
    expect(sumToShape(tensor([[1, 2], [3, 4]]), [2]).toArray()).toEqual([3, 7]);
    expect(sumToShape(tensor([[1, 2], [3, 4]]), [1, 2]).toArray()).toEqual([[4, 6]]);
    expect(sumToShape(tensor([[1, 2], [3, 4]]), [2, 1]).toArray()).toEqual([[3], [7]]);
    expect(sumToShape(tensor([1, 2, 3]), []).toArray()).toBe(6);
    expect(sumToShape(tensor([[1], [2]]), [2]).toArray()).toEqual([1, 2]);
    expect(() => sumToShape(tensor([[1, 2]]), [2])).toThrow(ShapeError);
    expect(broadcastTo(tensor([1, 2]), [2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(broadcastTo(tensor(5), [2]).toArray()).toEqual([5, 5]);
    expect(() => broadcastTo(tensor([1, 2]), [3])).toThrow(ShapeError);
  });
  it('undoes its own broadcast: sumToShape(broadcastTo(g)) = g · (stretch factor)', () => {
    const g = tensor([1, -2, 3]);
    expect(sumToShape(broadcastTo(g, [3, 4]), [3]).toArray()).toEqual([4, -8, 12]);
  });
});

describe('activations', () => {
  it('match closed forms', () => {
    expect(sigmoid(tensor([0])).toArray()).toEqual([0.5]);
    expect(allClose(sigmoid(tensor([-800, 800])), tensor([0, 1]))).toBe(true);
    expect(sigmoid(tensor([2])).at(0)).toBeCloseTo(0.8807970779778823, 15);
    expect(tanh(tensor([0])).toArray()).toEqual([0]);
    expect(map(tensor([1, -2]), Math.abs).toArray()).toEqual([1, 2]);
    expect(allClose(softmax(tensor([1000, 1000])), tensor([0.5, 0.5]))).toBe(true);
    const p = softmax(tensor([[1, 2, 3], [0, 0, 0]]));
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e[0]! + e[1]! + e[2]!;
    expect(allClose(p, tensor([[e[0]! / z, e[1]! / z, e[2]! / z], [1 / 3, 1 / 3, 1 / 3]]))).toBe(true);
  });
});

describe('reductions, products, rounding and formatting', () => {
  it('computes sums, norms, transposes and outer products', () => {
    expect(sum(tensor([[1, 2], [3, 4]])).item()).toBe(10);
    expect(squaredNorm(tensor([3, 4])).item()).toBe(25);
    expect(transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    // A (column) vector transposes to a 1×n row; a scalar stays.
    expect(transpose(tensor([1, 2, 3])).toArray()).toEqual([[1, 2, 3]]);
    expect(transpose(tensor(4)).toArray()).toBe(4);
    expect(outer(tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
  });

  it('finds the largest magnitude, and NaN for a tensor with a NaN or an infinity anywhere', () => {
    expect(maxAbs(tensor([[1, -7.5], [3, 0]]))).toBe(7.5);
    expect(maxAbs(tensor(-2))).toBe(2);
    expect(maxAbs(tensor([]))).toBe(0);
    expect(maxAbs(tensor([0, -0]))).toBe(0);
    for (const bad of [Infinity, -Infinity, Number.NaN]) {
      for (let at = 0; at < 5; at++) {
        const data = Float64Array.of(1, -2, 3, -4, 5);
        data[at] = bad;
        expect(maxAbs(fromFlat(data, [5]))).toBeNaN();
      }
    }
  });
  it('rounds half away from zero despite binary representation', () => {
    expect(roundNumber(2.675, 2)).toBe(2.68);
    expect(roundNumber(-2.675, 2)).toBe(-2.68);
    expect(roundNumber(1.005, 2)).toBe(1.01);
    expect(roundNumber(-0.001, 2)).toBe(0);
    expect(roundNumber(0.7 * 1.15, 2)).toBe(0.81);
    expect(roundNumber(1e-7, 2)).toBe(0);
    expect(roundNumber(1.5e-7, 7)).toBe(2e-7);
    expect(roundNumber(1e21, 2)).toBe(1e21);
    expect(roundNumber(123.456, 0)).toBe(123);
    expect(roundNumber(-2.5, 0)).toBe(-3);
    expect(roundNumber(0, 400)).toBe(0);
    expect(roundNumber(0.1, 400)).toBe(0.1);
    expect(roundNumber(Number.POSITIVE_INFINITY, 2)).toBe(Number.POSITIVE_INFINITY);
    expect(roundTo(tensor([2.555, -0.125]), 2).toArray()).toEqual([2.56, -0.13]);
  });
  it('aligns matrix columns on the decimal point', () => {
    expect(formatTensor(tensor([[1, 0.25], [10, 2]]), { decimals: 2 })).toBe('[  1.00  0.25 ]\n[ 10.00  2.00 ]');
    expect(formatTensor(tensor([2.5, -0.0001]), { decimals: 2, trimZeros: true })).toBe('[2.5, 0]');
    expect(formatNumber(-0.0001, { decimals: 2 })).toBe('0.00');
  });
  it('writes numbers with the options asked for', () => {
    expect(formatNumber(2.5, { decimals: 2 })).toBe('2.50');
    expect(formatNumber(2.675, { decimals: 2 })).toBe('2.68');
    expect(formatNumber(-1.5, { minus: '−' })).toBe('−1.5');
    expect(formatNumber(0.000123456789, { decimals: 6, trimZeros: true, significantBelow: 1e-3 })).toBe('0.000123457');
    expect(formatNumber(0.00123456789, { decimals: 6, trimZeros: true, significantBelow: 1e-3 })).toBe('0.001235');
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe('−∞');
  });
  it('writes a vector the same way in every layout: a list in text, a column in LaTeX', () => {
    const v = tensor([1.5, -2]);
    expect(formatTensor(v)).toBe('[1.5, -2]');
    expect(formatTensor(v, { layout: 'inline' })).toBe('[1.5, -2]');
    expect(formatTensor(v, { layout: 'latex' })).toBe('\\begin{bmatrix} 1.5 \\\\ -2 \\end{bmatrix}');
    expect(formatTensor(tensor([[1, 2], [3, 4]]), { layout: 'inline' })).toBe('[[1, 2], [3, 4]]');
    expect(formatTensor(tensor([[1, 2], [3, 4]]), { layout: 'latex' })).toBe('\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}');
    expect(formatTensor([[1, 2], [3]], { layout: 'inline' })).toBe('[[1, 2], [3]]');
    expect(layoutEntries(['a', 'b', 'c', 'd'], [2, 2], 'inline')).toBe('[[a, b], [c, d]]');
    expect(layoutEntries(['x'], [], 'latex')).toBe('x');
  });
  it('lays out a text table by characters, a cell of several lines by its longest', () => {
    expect(formatTable(['name', 'value'], [['u1', '2.55'], ['∂L/∂u1', '0']])).toEqual(['name    value', '------  -----', 'u1      2.55 ', '∂L/∂u1  0    ']);
    expect(formatTable(['a'], [['xy\nz']], { gap: 1, rule: false })).toEqual(['a ', 'xy\nz']);
  });
});

describe('matmul of transposed operands', () => {
  it('equals the product of the materialised transposes, bit for bit, for every rank', () => {
    const w = tensor([[0.4, 0.5, 0.25], [0.2, 0.25, 0.4]]);
    const v = tensor([1.5, -2]);
    const u = tensor([3, 0.1, 7]);
    expect(matmul(w, v, { a: true }).toArray()).toEqual(matmul(transpose(w), v).toArray());
    expect(matmul(w, w, { a: true }).toArray()).toEqual(matmul(transpose(w), w).toArray());
    expect(matmul(w, w, { b: true }).toArray()).toEqual(matmul(w, transpose(w)).toArray());
    expect(matmul(v, u, { b: true }).toArray()).toEqual(matmul(v, transpose(u)).toArray());
    // wᵀ v by hand: [0.4·1.5 − 0.2·2, 0.5·1.5 − 0.25·2, 0.25·1.5 − 0.4·2]
    const byHand = [0.4 * 1.5 - 0.2 * 2, 0.5 * 1.5 - 0.25 * 2, 0.25 * 1.5 - 0.4 * 2];
    (matmul(w, v, { a: true }).toArray() as number[]).forEach((x, i) => expect(x).toBeCloseTo(byHand[i]!, 15));
    expect(() => matmul(w, w, { a: true, b: true })).toThrow('matmul: shapes [3×2] and [3×2] do not fit (inner dimensions 2 and 3 differ)');
  });
});
