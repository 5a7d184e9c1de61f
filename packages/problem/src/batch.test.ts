import { createPool } from '@chainrule/compute';
import { seededRandom as rng } from '@chainrule/bench';
import { type Tensor, fromFlat } from '@chainrule/tensor';
import { useWarmPool } from '@chainrule/test-support/pool';
import { describe, expect, it } from 'vitest';
import { type BatchValue, evaluateBatch } from './batch.ts';
import { type ProblemInput, parseProblem, solveProblem } from './problem.ts';

const random = rng(42);
const uniform = () => random() * 2 - 1;
const randomTensor = (shape: number[]): Tensor => fromFlat(Float64Array.from({ length: shape.reduce((p, e) => p * e, 1) }, uniform), shape);
const matrix = (rows: number, cols: number) => randomTensor([rows, cols]).toArray() as number[][];
const vector = (n: number) => randomTensor([n]).toArray() as number[];

/** The README's network: 3 inputs, 4 hidden sigmoid units, 2 outputs. */
const network: ProblemInput = {
  equations: ['L = 1/2 ||y - yhat||^2', 'y = W2 h + b2', 'h = sigmoid(W1 x + b1)'],
  values: { W1: matrix(4, 3), b1: vector(4), W2: matrix(2, 4), b2: vector(2), x: vector(3), yhat: vector(2) },
  wrt: ['W1', 'b1', 'W2', 'b2'],
};

// Warmed with the task module: loading it through tsx on a loaded machine can take longer than a task's deadline.
const pool = useWarmPool(createPool({ size: 2 }), { modules: [new URL('./tasks.ts', import.meta.url)] });

describe('batch', () => {
  const inputs = Array.from({ length: 50 }, () => ({ x: vector(3), yhat: vector(2) }));

  it('matches solveProblem per input over 50 inputs, with the means', async () => {
    const result = await evaluateBatch(network, inputs, { pool, mode: 'pool' });
    expect(result.ranOn).toBe('pool');
    expect(result).toMatchObject({ succeeded: 50, failed: 0 });
    const problem = parseProblem(network);
    let lossSum = 0;
    result.items.forEach((item, i) => {
      const expected = solveProblem({ ...problem, values: { ...problem.values, ...inputs[i] } }).result;
      expect(item).toEqual({ ok: true, loss: expected.loss, gradients: expected.gradients });
      lossSum += expected.loss;
    });
    expect(result.meanLoss).toBeCloseTo(lossSum / 50, 12);
    const b2 = result.items.map((item) => (item.ok ? (item.gradients.b2 as number[]) : []));
    expect(result.meanGradients.b2).toEqual([0, 1].map((j) => expect.closeTo(b2.reduce((s, g) => s + g[j]!, 0) / 50, 12)));
  });

  it('gives the same answer inline and on the pool', async () => {
    const [inline, pooled] = await Promise.all([evaluateBatch(network, inputs, { pool, mode: 'inline' }), evaluateBatch(network, inputs, { pool, mode: 'pool' })]);
    expect(inline.ranOn).toBe('inline');
    expect(pooled.items).toEqual(inline.items);
  });

  it('reports a bad item by itself without failing the others, and takes tensor values', async () => {
    const tensorX = randomTensor([3]);
    const items: Record<string, BatchValue>[] = [
      { x: vector(3) },
      { x: vector(2) },
      { z: [1] },
      { x: ['a'] as unknown as number[] },
      { x: tensorX },
      null as unknown as Record<string, BatchValue>,
    ];
    const result = await evaluateBatch(network, items, { pool, mode: 'pool' });
    expect(result.items.map((item) => item.ok)).toEqual([true, false, false, false, true, false]);
    expect(result.items[1]).toMatchObject({ code: 'shape', error: expect.stringMatching(/matmul/) });
    expect(result.items[2]).toMatchObject({ code: 'problem', error: expect.stringMatching(/'z' is not a name/) });
    expect(result.items[3]).toMatchObject({ code: 'problem' });
    const problem = parseProblem(network);
    const expected = solveProblem({ ...problem, values: { ...problem.values, x: tensorX.toArray() as number[] } }).result;
    expect(result.items[4]).toEqual({ ok: true, loss: expected.loss, gradients: expected.gradients });
    expect(result.items[5]).toMatchObject({ code: 'problem', error: 'an input must be an object of values by name, got null' });
    expect(result).toMatchObject({ succeeded: 2, failed: 4 });
  });
});

