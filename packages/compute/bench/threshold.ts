/**
 * Where the pool starts to pay for a matmul: the same product is timed inline (`mode: 'inline'`)
 * and on a warm pool (`mode: 'pool'`) over growing sizes, and the crossover — the smallest size
 * from which the pool is faster at every larger size measured — is reported. The threshold of
 * `src/thresholds.ts` comes from this script (those of the gradient check and the batch come
 * from `@chainrule/problem`'s `bench/threshold.ts`). `tsx bench/threshold.ts [--json]`; about a minute.
 *
 * Inline and pool runs alternate run by run and each keeps its best time, so that a noisy
 * neighbour slows both alike.
 */
import os from 'node:os';
import { type ComputePool, createPool } from '../src/index.ts';
import { printTable, summarize, wantsJson } from '@chainrule/bench';
import { cpuProbe, randomMatrix } from './common.ts';

/** Alternations of one inline and one pool run per point; at least this many, and at least MIN_MS of runs. */
const MIN_PAIRS = 15;
const MIN_MS = 150;

interface Point {
  size: number;
  label: string;
  inlineMs: number;
  poolMs: number;
}

/**
 * Best inline time against best pool time, the two alternating run by run: on a shared machine
 * the best of many short runs estimates the uncontended time, for both alike.
 */
async function compare(size: number, label: string, run: (mode: 'inline' | 'pool') => Promise<unknown>): Promise<Point> {
  await run('inline');
  await run('pool');
  const inline: number[] = [];
  const pooled: number[] = [];
  let spent = 0;
  while (inline.length < MIN_PAIRS || spent < MIN_MS) {
    for (const [mode, samples] of [['inline', inline], ['pool', pooled]] as const) {
      const t0 = performance.now();
      await run(mode);
      const dt = performance.now() - t0;
      samples.push(dt);
      spent += dt;
    }
  }
  return { size, label, inlineMs: summarize(inline).best, poolMs: summarize(pooled).best };
}

/** The smallest size from which the pool wins at every larger size measured (Infinity: never). */
function crossover(points: readonly Point[]): number {
  let from = Number.POSITIVE_INFINITY;
  for (let i = points.length - 1; i >= 0 && points[i]!.poolMs < points[i]!.inlineMs; i--) from = points[i]!.size;
  return from;
}

async function matmulPoints(pool: ComputePool): Promise<Point[]> {
  const points: Point[] = [];
  for (const n of [16, 24, 32, 40, 48, 56, 64, 80, 96, 128, 192, 256]) {
    const a = randomMatrix(n, n, n);
    const b = randomMatrix(n, n, n + 1);
    points.push(await compare(n * n * n, `${n}×${n}·${n}×${n}`, (mode) => pool.matmul(a, b, { mode })));
  }
  return points;
}

const pool = createPool();
await pool.warmup();
const probeBefore = await cpuProbe();
const results = {
  cores: os.availableParallelism(),
  workers: pool.size,
  matmul: await matmulPoints(pool),
  cpuProbe: { before: probeBefore, after: await cpuProbe() },
};
await pool.close();

const crossovers = {
  matmul: crossover(results.matmul),
};

if (wantsJson()) {
  console.log(JSON.stringify({ ...results, crossovers }, null, 2));
} else {
  console.log(`inline vs warm pool of ${results.workers} workers (${results.cores} cores): best ms of ≥ ${MIN_PAIRS} alternating runs each`);
  const { before, after } = results.cpuProbe;
  console.log(
    `CPU probe (bare workers, 2 threads): ${before.toFixed(2)}× before, ${after.toFixed(2)}× after` +
      (Math.min(before, after) < 1.8 ? ' — others were using the cores: the crossovers below are too high, run again when idle.\n' : '\n'),
  );
  for (const [pass, unit] of [['matmul', 'm·n·k']] as const) {
    console.log(`${pass} — crossover at ${unit} ≥ ${crossovers[pass]}`);
    printTable([
      [unit, 'case', 'inline ms', 'pool ms', 'pool/inline'],
      ...results[pass].map((p) => [p.size, p.label, p.inlineMs.toFixed(3), p.poolMs.toFixed(3), `${(p.poolMs / p.inlineMs).toFixed(2)}×`]),
    ]);
    console.log('');
  }
}
