import { type ProblemInput, parseProblem, solveProblem } from '@chainrule/graph';
import { ShapeError, type Tensor, allClose, fromFlat, gemm, matmul } from '@chainrule/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchValue, createPool } from './index.ts';

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const pool = createPool({ size: 2 });

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  await pool.warmup();
});

afterAll(async () => {
  await pool.close();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('matmul', () => {
  it('equals the inline gemm result on odd shapes, split across the workers', async () => {
    for (const [m, k, n] of [
      [2, 1, 1],
      [2, 3, 5],
      [17, 31, 13],
      [63, 1, 65],
      [101, 37, 3],
      [3, 300, 7],
      [129, 65, 33],
    ] as const) {
      const a = randomTensor([m, k]);
      const b = randomTensor([k, n]);
      const expected = new Float64Array(m * n);
      gemm(m, n, k, a.data, b.data, expected);
      const c = await pool.matmul(a, b, { mode: 'pool' });
      expect(c.shape).toEqual([m, n]);
      expect(c.data.buffer).toBeInstanceOf(ArrayBuffer);
      expect(allClose(c, fromFlat(expected, [m, n]), { rtol: 1e-13, atol: 1e-13 }), `${m}×${k}·${k}×${n}`).toBe(true);
    }
  });

  it('reads operands that are views into a larger buffer, and vector shapes', async () => {
    const backing = new Float64Array(1 + 7 * 5 + 5);
    backing.set(Float64Array.from({ length: backing.length }, uniform));
    const a = fromFlat(backing.subarray(1, 36), [7, 5]);
    const x = fromFlat(backing.subarray(36, 41), [5]);
    const y = await pool.matmul(a, x, { mode: 'pool' });
    expect(y.shape).toEqual([7]);
    expect(allClose(y, matmul(a, x), { rtol: 1e-13 })).toBe(true);
  });

  it('fails like the tensor matmul on shapes that do not fit', async () => {
    await expect(pool.matmul(randomTensor([3, 4]), randomTensor([3, 4]), { mode: 'pool' })).rejects.toThrow(ShapeError);
  });

  it('runs tiny products inline, without starting a worker', async () => {
    const fresh = createPool({ size: 2 });
    const c = await fresh.matmul(randomTensor([4, 4]), randomTensor([4, 4]));
    expect(c.shape).toEqual([4, 4]);
    expect(fresh.stats().started).toBe(0);
    await fresh.close();
  });
});

describe('gradientCheck', () => {
  it('finds tiny errors between finite differences and the symbolic gradients', async () => {
    const check = await pool.gradientCheck(network, { mode: 'pool' });
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
    const inline = await pool.gradientCheck(network, { mode: 'inline' });
    expect(inline.ranOn).toBe('inline');
    expect(inline.numeric).toEqual(check.numeric);
  });

  it('reports a large error, and where, for a wrong gradient', async () => {
    const symbolic = solveProblem(parseProblem(network)).result.gradients;
    const wrong = (symbolic.W1 as number[][]).map((row) => [...row]);
    wrong[2]![1]! += 0.5;
    const check = await pool.gradientCheck(network, { mode: 'pool', gradients: { W1: wrong } });
    expect(check.pass).toBe(false);
    const w1 = check.parameters.find((p) => p.name === 'W1')!;
    expect(w1).toMatchObject({ pass: false, index: [2, 1] });
    expect(w1.maxRelativeError).toBeGreaterThan(0.1);
    expect(w1.symbolic - w1.numeric).toBeCloseTo(0.5, 6);
    expect(check.parameters.filter((p) => p.name !== 'W1').every((p) => p.pass)).toBe(true);
  });

  it('rejects a problem fault on the calling thread with the graph package error', async () => {
    await expect(pool.gradientCheck({ ...network, wrt: ['W1', 'nope'] })).rejects.toMatchObject({ code: 'problem', location: { path: ['wrt', 1] } });
  });
});

describe('batch', () => {
  const inputs = Array.from({ length: 50 }, () => ({ x: vector(3), yhat: vector(2) }));

  it('matches solveProblem per input over 50 inputs, with the means', async () => {
    const result = await pool.batch(network, inputs, { mode: 'pool' });
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
    const [inline, pooled] = await Promise.all([pool.batch(network, inputs, { mode: 'inline' }), pool.batch(network, inputs, { mode: 'pool' })]);
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
    const result = await pool.batch(network, items, { mode: 'pool' });
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
