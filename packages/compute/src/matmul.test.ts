import { ShapeError, type Tensor, allClose, fromFlat, gemm, matmul } from '@chainrule/tensor';
import { seededRandom as rng } from '@chainrule/bench';
import { useWarmPool } from '@chainrule/test-support/pool';
import { describe, expect, it } from 'vitest';
import { createPool, splitRange } from './index.ts';
import { transferables } from './passes.ts';

const random = rng(42);
const uniform = () => random() * 2 - 1;
const randomTensor = (shape: number[]): Tensor => fromFlat(Float64Array.from({ length: shape.reduce((p, e) => p * e, 1) }, uniform), shape);

const pool = useWarmPool(createPool({ size: 2 }));

describe('matmul', () => {
  it('follows the column-vector convention on the workers: W x is a vector, x W a ShapeError naming the fix', async () => {
    const W = randomTensor([300, 40]);
    const x = randomTensor([40]);
    const onWorkers = await pool.matmul(W, x, { mode: 'pool' });
    expect(onWorkers.shape).toEqual([300]);
    // Independent reference: each entry a plain dot product of a row of W with x.
    const expected = Array.from({ length: 300 }, (_, i) => W.data.slice(i * 40, (i + 1) * 40).reduce((sum, w, j) => sum + w * x.data[j]!, 0));
    onWorkers.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    await expect(pool.matmul(randomTensor([300]), W, { mode: 'pool' })).rejects.toThrow(/column.*Wᵀ x/);
  });

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

describe('matmul without shared memory (a page that is not cross-origin isolated)', () => {
  const copying = useWarmPool(createPool({ size: 2, sharedMemory: false }));

  it('computes row blocks on copies, on ordinary memory, equal to plain dot products', async () => {
    expect(copying.sharedMemory).toBe(false);
    for (const [m, k, n] of [
      [2, 1, 1],
      [17, 31, 13],
      [101, 37, 3],
    ] as const) {
      const a = randomTensor([m, k]);
      const b = randomTensor([k, n]);
      const c = await copying.matmul(a, b, { mode: 'pool' });
      expect(c.shape).toEqual([m, n]);
      expect(c.data.buffer).toBeInstanceOf(ArrayBuffer);
      // Independent reference: each entry a dot product of a row of A and a column of B.
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let p = 0; p < k; p++) dot += a.data[i * k + p]! * b.data[p * n + j]!;
          expect(c.data[i * n + j], `${m}×${k}·${k}×${n} at (${i}, ${j})`).toBeCloseTo(dot, 12);
        }
      }
    }
    expect(copying.stats().started).toBe(2);
  });

  it('leaves the operands whole (their copies are moved), reads views, and writes into `out`', async () => {
    const backing = Float64Array.from({ length: 1 + 9 * 4 + 4 }, uniform);
    const a = fromFlat(backing.subarray(1, 37), [9, 4]);
    const x = fromFlat(backing.subarray(37, 41), [4]);
    const before = Float64Array.from(backing);
    const y = await copying.matmul(a, x, { mode: 'pool' });
    expect(y.shape).toEqual([9]);
    expect(allClose(y, matmul(a, x), { rtol: 1e-13 })).toBe(true);
    expect(backing).toEqual(before);
    const out = fromFlat(new Float64Array(9).fill(Number.NaN), [9]);
    expect(await copying.matmul(a, x, { mode: 'pool', out })).toBe(out);
    expect(allClose(out, matmul(a, x), { rtol: 1e-13 })).toBe(true);
  });

  it('refuses `worker` on Node, where the pool starts its own worker module', () => {
    expect(() => createPool({ worker: 'https://example.test/worker.js' })).toThrow(/`worker` is for browsers/);
  });
});

describe('tasks', () => {
  const module = new URL('./test-fixtures/tasks.ts', import.meta.url);

  it('spreads one job per input over the workers and answers in the order of the inputs', async () => {
    const inputs = Array.from({ length: 7 }, (_, i) => ({ values: [i, i + 0.5] }));
    const outputs = await pool.tasks<{ values: number[]; inWorker: boolean; thread: number }>(module, 'double', inputs);
    expect(outputs.map((o) => o.values)).toEqual(inputs.map(({ values }) => values.map((v) => 2 * v)));
    expect(outputs.every((o) => o.inWorker)).toBe(true);
    // Both workers took part: seven jobs cannot all wait for one worker while the other is idle.
    expect(new Set(outputs.map((o) => o.thread)).size).toBe(2);
  });

  it('settles with the first failure, named as the call asked', async () => {
    await expect(pool.tasks(module, 'fail', [{}, {}], { name: 'check' })).rejects.toMatchObject({ code: 'problem', location: { path: ['values', 0] } });
    await expect(pool.tasks(module, 'sleep', [{ ms: 20_000 }], { name: 'slow', timeoutMs: 50 })).rejects.toThrow('slow timed out after 50 ms');
    expect(await pool.tasks(module, 'double', [])).toEqual([]);
  });

  it('moves typed arrays with transfer: the input is detached in the caller, the answer arrives whole', async () => {
    const data = Float64Array.from([1, 2, 3]);
    const [answer] = await pool.tasks<{ sum: number; squares: Float64Array }>(module, 'squares', [{ data }], { transfer: true });
    expect(data.length).toBe(0);
    expect(answer!.sum).toBe(6);
    expect(Array.from(answer!.squares)).toEqual([1, 4, 9]);
    const kept = Float64Array.from([4]);
    await pool.tasks(module, 'squares', [{ data: kept }]);
    expect(kept.length).toBe(1);
  });
});

describe('splitRange', () => {
  it('covers 0..total in at most `parts` contiguous, near-equal ranges', () => {
    expect(splitRange(10, 3)).toEqual([[0, 3], [3, 6], [6, 10]]);
    expect(splitRange(2, 5)).toEqual([[0, 1], [1, 2]]);
    expect(splitRange(0, 4)).toEqual([]);
  });
});

describe('transferables', () => {
  it('finds the owned buffers of typed arrays near the top of an answer, not views or shared memory', () => {
    const own = new Float64Array(4);
    const nested = new Float64Array(2);
    const view = new Float64Array(new ArrayBuffer(64), 8, 2);
    const shared = new Float64Array(new SharedArrayBuffer(16));
    const deep = new Float64Array(1);
    expect(transferables({ own, list: [nested, view], shared, far: { away: { deep } } })).toEqual([own.buffer, nested.buffer]);
    expect(transferables(own)).toEqual([own.buffer]);
    expect(transferables('text')).toEqual([]);
  });
});
