/** Helpers shared by the compute bench scripts; timing statistics come from `@chainrule/bench`. */
import { Worker } from 'node:worker_threads';
import { type Tensor, fromFlat } from '@chainrule/tensor';
import { type Measurement, randomArray, summarize } from '@chainrule/bench';

export { randomArray };

/**
 * The harness's `measure`, for async work: `warmup` untimed runs, then timed runs until both
 * `minReps` and `minMs` are reached. Each run is awaited before the next starts.
 */
export async function measureAsync(
  fn: () => Promise<unknown>,
  { minReps = 5, minMs = 200, warmup = 1 }: { minReps?: number; minMs?: number; warmup?: number } = {},
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < minReps || spent < minMs) {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    samples.push(dt);
    spent += dt;
  }
  return summarize(samples);
}


export function randomMatrix(rows: number, cols: number, seed: number): Tensor {
  return fromFlat(randomArray(rows * cols, seed), [rows, cols]);
}

/**
 * Speed-up of two bare worker threads over one on a pure arithmetic loop (no pool, no memory
 * traffic): how much parallelism the machine offers right now. With the kernel's autogroup
 * scheduling, one busy process of another session is enough to bring it down to ~1×.
 */
export async function cpuProbe(): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (n) => { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); parentPort.postMessage(s); });`;
  const workers = [new Worker(code, { eval: true }), new Worker(code, { eval: true })];
  const spin = (w: Worker, n: number) => new Promise((resolve) => (w.once('message', resolve), w.postMessage(n)));
  const N = 1e8;
  await Promise.all(workers.map((w) => spin(w, 1e6)));
  let best = 0;
  for (let round = 0; round < 2; round++) {
    let t = performance.now();
    await spin(workers[0]!, N);
    const one = performance.now() - t;
    t = performance.now();
    await Promise.all(workers.map((w) => spin(w, N / 2)));
    best = Math.max(best, one / (performance.now() - t));
  }
  await Promise.all(workers.map((w) => w.terminate()));
  return best;
}
