import { type ProblemInput, parseProblem, solveProblem } from '@chainrule/problem';
import { ShapeError, type Tensor, allClose, fromFlat, gemm, matmul } from '@chainrule/tensor';
import { seededRandom as rng } from '@chainrule/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchValue, createPool } from './index.ts';


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

/** The assignment's Question 3 problem. */
const Q3_PROBLEM: ProblemInput = {
  equations: ['L = 1/2 ||y - ŷ||^2', 'y = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x'],
  functions: { f: 'relu' },
  values: {
    x: [1, 2, 3, 4],
    'ŷ': [1, 0],
    W1: [[0.4, 0.5, 0.25, 0.1], [0.2, 0.25, 0.4, 0.5], [0.1, 0.75, 0.3, 0]],
    W2: [[0.1, 0.25, 0.5, 0.4], [0, 0.3, 0.75, 0.1]],
    W3: [[1, 0.5, 0.25], [0.2, 0.3, 0.4]],
  },
  wrt: ['W1', 'W2', 'W3'],
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
      expect(c.data.buffer).toBeInstanceOf(SharedArrayBuffer);
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

  it('takes a previous result (on shared memory) without copying, and recycles its staging buffers', async () => {
    const a = randomTensor([40, 30]);
    const b = randomTensor([30, 20]);
    const ab = await pool.matmul(a, b, { mode: 'pool' });
    const c = randomTensor([20, 10]);
    const abc = await pool.matmul(ab, c, { mode: 'pool' });
    expect(abc.shape).toEqual([40, 10]);
    expect(allClose(abc, matmul(matmul(a, b), c), { rtol: 1e-12, atol: 1e-13 })).toBe(true);
    const again = await pool.matmul(a, b, { mode: 'pool' });
    expect(again.data).toEqual(ab.data);
  });

  it('writes into `out` like gemm writes into C, shared or not, on either path', async () => {
    const a = randomTensor([33, 20]);
    const b = randomTensor([20, 17]);
    const expected = matmul(a, b);
    const shared = fromFlat(new Float64Array(new SharedArrayBuffer(33 * 17 * 8)), [33, 17]);
    for (const out of [shared, fromFlat(new Float64Array(33 * 17), [33, 17])]) {
      for (const mode of ['pool', 'inline'] as const) {
        out.data.fill(Number.NaN);
        expect(await pool.matmul(a, b, { mode, out })).toBe(out);
        expect(allClose(out, expected, { rtol: 1e-13, atol: 1e-13 })).toBe(true);
      }
    }
    await expect(pool.matmul(a, b, { out: randomTensor([17, 33]) })).rejects.toThrow(/out must have the shape of the product, \[33×17\]/);
    await expect(pool.matmul(shared, randomTensor([17, 17]), { out: shared, mode: 'pool' })).rejects.toThrow(/must not share memory/);
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

describe('grade', () => {
  it('grades a class on the workers exactly as the grader does inline, keeping the order', async () => {
    const reference = solveProblem(parseProblem(JSON.parse(JSON.stringify(Q3_PROBLEM)))).result;
    const submissions = Array.from({ length: 9 }, (_, i) => {
      const values = JSON.parse(JSON.stringify(reference.values)) as Record<string, number[] | number>;
      if (i % 3 === 1) (values.u1 as number[])[0] = 2.65;
      return { id: `student-${i}`, submission: i % 3 === 2 ? { values: 'oops' } : { loss: reference.loss, values, gradients: reference.gradients } };
    });
    const onPool = await pool.grade('q3', submissions, { mode: 'pool', round: null });
    const inline = await pool.grade('q3', submissions, { mode: 'inline', round: null });
    expect(onPool.ranOn).toBe('pool');
    expect(inline.ranOn).toBe('inline');
    expect(onPool.results).toEqual(inline.results);
    expect(onPool.results.map((r) => r.id)).toEqual(submissions.map((s) => s.id));
    expect(onPool.summary[0]).toMatchObject({ id: 'student-0', points: 7, firstWrong: null });
    expect(onPool.summary[1]).toMatchObject({ id: 'student-1', firstWrong: 'u1' });
    expect(onPool.results[2]!.error?.path).toBe('values');
  });
});
