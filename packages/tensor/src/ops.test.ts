import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNumber, formatTensor } from './format.ts';
import {
  add,
  allClose,
  div,
  exp,
  log,
  matmul,
  mul,
  neg,
  outer,
  relu,
  reluStep,
  roundNumber,
  scale,
  sigmoid,
  sigmoidDerivative,
  softmax,
  squaredNorm,
  sub,
  sum,
  sumToShape,
  tanh,
  tanhDerivative,
  transpose,
} from './ops.ts';
import { ShapeError, TensorValueError } from './errors.ts';
import { tensor } from './tensor.ts';

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
  it('covers matrix·matrix, vector·matrix and the dot product', () => {
    expect(matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]])).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(matmul(tensor([1, 1]), tensor([[1, 2], [3, 4]])).toArray()).toEqual([4, 6]);
    expect(matmul(tensor([1, 2]), tensor([3, 4])).toArray()).toBe(11);
  });
  it('names both shapes when the inner dimensions differ', () => {
    expect(() => matmul(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow(ShapeError);
    expect(() => matmul(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow('matmul: shapes [1×3] and [2] do not fit');
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
    expect(reluStep(tensor([-1, 0, 2])).toArray()).toEqual([0, 0, 1]);
    expect(exp(tensor([0, 1])).toArray()).toEqual([1, Math.E]);
    expect(log(tensor([1, Math.E])).toArray()).toEqual([0, 1]);
  });
  it('broadcasts a bias over a batch', () => {
    expect(add(tensor([[1, 2], [3, 4]]), tensor([10, 20])).toArray()).toEqual([[11, 22], [13, 24]]);
    expect(add(tensor([[1, 2], [3, 4]]), tensor([[10], [20]])).toArray()).toEqual([[11, 12], [23, 24]]);
    expect(() => add(tensor([[1, 2], [3, 4]]), tensor([1, 2, 3]))).toThrow('add: shapes [2×2] and [3] do not fit');
    expect(() => add(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(ShapeError);
  });
  it('sums a broadcast gradient back to the operand shape', () => {
    expect(sumToShape(tensor([[1, 2], [3, 4]]), [2]).toArray()).toEqual([4, 6]);
    expect(sumToShape(tensor([[1, 2], [3, 4]]), [2, 1]).toArray()).toEqual([[3], [7]]);
    expect(sumToShape(tensor([1, 2, 3]), []).toArray()).toBe(6);
  });
});

describe('activations and their derivatives', () => {
  it('match closed forms', () => {
    expect(sigmoid(tensor([0])).toArray()).toEqual([0.5]);
    expect(sigmoidDerivative(tensor([0])).toArray()).toEqual([0.25]);
    expect(allClose(sigmoid(tensor([-800, 800])), tensor([0, 1]))).toBe(true);
    expect(tanh(tensor([0])).toArray()).toEqual([0]);
    expect(tanhDerivative(tensor([0])).toArray()).toEqual([1]);
    expect(allClose(softmax(tensor([1000, 1000])), tensor([0.5, 0.5]))).toBe(true);
    const p = softmax(tensor([[1, 2, 3], [0, 0, 0]]));
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e[0]! + e[1]! + e[2]!;
    expect(allClose(p, tensor([[e[0]! / z, e[1]! / z, e[2]! / z], [1 / 3, 1 / 3, 1 / 3]]))).toBe(true);
  });
  it('derivatives agree with central differences', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), (v) => {
        const h = 1e-6;
        const numeric = (f: typeof sigmoid) => (f(tensor([v + h])).at(0) - f(tensor([v - h])).at(0)) / (2 * h);
        expect(sigmoidDerivative(tensor([v])).at(0)).toBeCloseTo(numeric(sigmoid), 6);
        expect(tanhDerivative(tensor([v])).at(0)).toBeCloseTo(numeric(tanh), 6);
      }),
    );
  });
});

describe('reductions, products, rounding and formatting', () => {
  it('computes sums, norms, transposes and outer products', () => {
    expect(sum(tensor([[1, 2], [3, 4]])).item()).toBe(10);
    expect(squaredNorm(tensor([3, 4])).item()).toBe(25);
    expect(transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(outer(tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
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
  });
  it('aligns matrix columns on the decimal point', () => {
    expect(formatTensor(tensor([[1, 0.25], [10, 2]]), { decimals: 2 })).toBe('[  1.00  0.25 ]\n[ 10.00  2.00 ]');
    expect(formatTensor(tensor([2.5, -0.0001]), { decimals: 2, trimZeros: true })).toBe('[2.5, 0]');
    expect(formatNumber(-0.0001, { decimals: 2 })).toBe('0.00');
  });
});
