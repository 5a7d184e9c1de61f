/** Helpers shared by the compute bench scripts; timing statistics come from `@chainrule/bench`. */
import { Worker } from 'node:worker_threads';
import type { ProblemInput } from '@chainrule/problem';
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

/** The two-layer sigmoid network of the README, `inputs` wide with `hidden` hidden units. */
export function networkProblem(inputs: number, hidden: number, seed = 1): ProblemInput {
  const matrix = (r: number, c: number, s: number) => randomMatrix(r, c, s).toArray() as number[][];
  const vector = (n: number, s: number) => Array.from(randomArray(n, s));
  return {
    equations: ['L = 1/2 ||y - yhat||^2', 'y = W2 h + b2', 'h = sigmoid(W1 x + b1)'],
    values: { W1: matrix(hidden, inputs, seed), b1: vector(hidden, seed + 1), W2: matrix(1, hidden, seed + 2), b2: [0.1], x: vector(inputs, seed + 3), yhat: [0.5] },
    wrt: ['W1', 'b1', 'W2', 'b2'],
  };
}

/** Number of parameter elements of {@link networkProblem}. */
export const networkParameters = (inputs: number, hidden: number): number => hidden * inputs + 2 * hidden + 1;

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
