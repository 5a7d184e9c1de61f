import { createPool } from '@chainrule/compute';
import { seededRandom as rng } from '@chainrule/bench';
import { type Tensor, fromFlat } from '@chainrule/tensor';
import { useWarmPool } from '@chainrule/test-support/pool';
import { describe, expect, it } from 'vitest';
import { gradientCheck } from './gradient-check.ts';
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

describe('gradientCheck', () => {
  it('finds tiny errors between finite differences and the symbolic gradients', async () => {
    const check = await gradientCheck(network, { pool, mode: 'pool' });
    expect(check.ranOn).toBe('pool');
    expect(check.pass).toBe(true);
    expect(check.maxRelativeError).toBeLessThan(1e-6);
    expect(check.parameters.map((p) => [p.name, p.shape])).toEqual([
      ['W1', [4, 3]],
      ['b1', [4]],
      ['W2', [2, 4]],
      ['b2', [2]],
    ]);
    const symbolic = solveProblem(parseProblem(network)).result.gradients;
    for (const [name, numeric] of Object.entries(check.numeric)) {
      expect((numeric as number[]).flat()).toEqual((symbolic[name] as number[]).flat().map((v) => expect.closeTo(v, 8)));
    }
    // The same differences inline, to the bit: both paths run the same code.
    const inline = await gradientCheck(network, { pool, mode: 'inline' });
    expect(inline.ranOn).toBe('inline');
    expect(inline.numeric).toEqual(check.numeric);
  });

  it('reports a large error, and where, for a wrong gradient', async () => {
    const symbolic = solveProblem(parseProblem(network)).result.gradients;
    const wrong = (symbolic.W1 as number[][]).map((row) => [...row]);
    wrong[2]![1]! += 0.5;
    const check = await gradientCheck(network, { pool, mode: 'pool', gradients: { W1: wrong } });
    expect(check.pass).toBe(false);
    const w1 = check.parameters.find((p) => p.name === 'W1')!;
    expect(w1).toMatchObject({ pass: false, index: [2, 1] });
    expect(w1.maxRelativeError).toBeGreaterThan(0.1);
    expect(w1.symbolic - w1.numeric).toBeCloseTo(0.5, 6);
    expect(check.parameters.filter((p) => p.name !== 'W1').every((p) => p.pass)).toBe(true);
  });

  it('rejects a problem fault on the calling thread with the graph package error', async () => {
    await expect(gradientCheck({ ...network, wrt: ['W1', 'nope'] }, { pool })).rejects.toMatchObject({ code: 'problem', location: { path: ['wrt', 1] } });
  });
});

describe('gradientCheck without a pool', () => {
  it('runs inline, with the same differences as on the pool', async () => {
    const inline = await gradientCheck(network);
    expect(inline.ranOn).toBe('inline');
    expect(inline.numeric).toEqual((await gradientCheck(network, { pool, mode: 'pool' })).numeric);
  });

  it("refuses names of Object.prototype members as gradients of nothing, and a ragged gradient with its path", async () => {
    await expect(gradientCheck({ ...network, wrt: ['constructor'] })).rejects.toMatchObject({ code: 'problem', location: { path: ['wrt', 0] } });
    await expect(gradientCheck(network, { gradients: { W1: [[1, 2], [3]] } })).rejects.toMatchObject({ code: 'value', location: { path: ['gradients', 'W1'] } });
  });
});
