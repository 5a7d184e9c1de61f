import { type Tensor, fromFlat, maxRelativeError, tensor } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { evaluate } from '@chainrule/graph';
import { type ProblemInput, parseProblem, problemGraph, solveProblem } from './problem.ts';
import { gradientGraph, gradientId } from '@chainrule/graph';

/** Central differences with one Richardson step (error O(h⁴)) of the loss over every entry of `name`. */
function finiteDifference(input: ProblemInput, name: string, h = 1e-4): Tensor {
  const problem = parseProblem(input);
  const graph = problemGraph(problem);
  const base = tensor(problem.values[name]!);
  const out = new Float64Array(base.size);
  const loss = (values: typeof problem.values) => evaluate(graph, values).get(graph.loss!)!.item();
  for (let i = 0; i < base.size; i++) {
    const shifted = (delta: number) => {
      const t = base.clone();
      t.data[i]! += delta;
      return loss({ ...problem.values, [name]: t.toArray() });
    };
    const central = (step: number) => (shifted(step) - shifted(-step)) / (2 * step);
    out[i] = (4 * central(h / 2) - central(h)) / 3;
  }
  return fromFlat(out, base.shape);
}

// Every primitive's gradient rule, each in a small network, against finite differences.
const CASES: [string, ProblemInput][] = [
  [
    'softmax and cross-entropy',
    { equations: ['L = -sum(yhat * log(p))', 'p = softmax(W x + b)'], values: { W: [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]], b: [0.1, 0, -0.1], x: [1.5, -0.5], yhat: [0, 1, 0] }, wrt: ['W', 'b'] },
  ],
  ['exp, division and sum', { equations: ['L = sum(exp(W x) / (1 + x ⊙ x))'], values: { W: [[0.3, -0.2], [0.1, 0.4]], x: [0.5, 1.5] }, wrt: ['W', 'x'] }],
  ['a quadratic form xᵀ A x', { equations: ['L = sum(x^T A x)'], values: { A: [[1, 2], [0.5, -1]], x: [0.3, -0.7] }, wrt: ['A', 'x'] }],
  ['an outer product u vᵀ inside a product', { equations: ['L = 1/2 ||(u v^T) w - t||^2'], values: { u: [1, -2], v: [0.5, 0.25, 2], w: [1, 0, -1], t: [0.1, 0.2] }, wrt: ['u', 'v', 'w'] }],
  ['a scalar parameter scaling a vector', { equations: ['L = 1/2 ||a * W x - t||^2'], values: { a: 1.7, W: [[0.5, 0.1], [-0.2, 0.3]], x: [1, 2], t: [0, 1] }, wrt: ['a', 'W'] }],
  ['a weight used twice (sharing)', { equations: ['L = 1/2 ||W tanh(W x) - t||^2'], values: { W: [[0.5, -0.3], [0.2, 0.4]], x: [1, -1], t: [0.2, -0.1] }, wrt: ['W'] }],
  [
    'a bias over a batch (one example per column)',
    { equations: ['L = 1/2 ||sigmoid(W X + b) - T||^2'], values: { W: [[0.5, -0.3], [0.2, 0.4], [0.1, 0.1]], X: [[1, 2, -1, 0], [0, 1, 1, -2]], b: [0.1, -0.2, 0.3], T: [[0, 1, 0, 1], [1, 0, 1, 0], [0, 0, 1, 1]] }, wrt: ['W', 'b'] },
  ],
  ['a column given as an n×1 matrix', { equations: ['L = 1/2 ||W x - yhat||^2'], values: { W: [[1, 0.5], [0.25, 1]], x: [[1], [2]], yhat: [0, 1] }, wrt: ['W', 'x'] }],
  ['negation, subtraction and a transposed weight', { equations: ['L = 1/2 ||W^T (u - v) + (-c)||^2'], values: { W: [[1, 2, 3], [4, 5, 6]], u: [1, -1], v: [0.5, 0.5], c: [1, 2, 3] }, wrt: ['W', 'u', 'v', 'c'] }],
];

describe('every gradient rule against finite differences', () => {
  it.each(CASES)('%s', (_, input) => {
    const solved = solveProblem(parseProblem(input));
    for (const name of parseProblem(input).wrt) {
      const symbolic = tensor(solved.result.gradients[name]!);
      const numeric = finiteDifference(input, name);
      expect(symbolic.shape, name).toEqual(numeric.shape);
      expect(maxRelativeError(symbolic, numeric, 1e-6), name).toBeLessThan(1e-7);
    }
  });

  it('adds a bias to every column of a batch, and sums its gradient over the batch', () => {
    const solved = solveProblem(
      parseProblem({ equations: ['L = sum(Y)', 'Y = W X + b'], values: { W: [[1, 0], [0, 1], [1, 1]], X: [[1, 2, 3], [4, 5, 6]], b: [10, 20, 30] }, wrt: ['b'] }),
    );
    expect(solved.result.values.Y).toEqual([[11, 12, 13], [24, 25, 26], [35, 37, 39]]);
    expect(solved.result.gradients.b).toEqual([3, 3, 3]);
  });

  it('differentiates the gradient of a sigmoid network again where its ops allow', () => {
    const graph = gradientGraph(problemGraph(parseProblem({ equations: ['L = sum(tanh(w * x))'], wrt: ['w'] })), ['w']);
    const second = gradientGraph(graph, ['w'], { of: gradientId('L', 'w') });
    const [w, x] = [0.4, 1.3];
    const t = Math.tanh(w * x);
    const value = evaluate(second, { w, x }).get(gradientId('dL/dw', 'w'))!.item();
    expect(value).toBeCloseTo(-2 * x * x * t * (1 - t * t), 12);
  });
});
