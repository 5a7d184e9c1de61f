/**
 * Tiny, dependency-free helpers for benchmark scripts: timing (wall time, and CPU time with the
 * sizes of a scaling bench in interleaved rounds), the one CPU-noise probe, an aligned text table
 * and the `--json` switch, shared by the bench scripts of every package (`@chainrule/bench`).
 */

import { type Measurement, summarize } from './stats.ts';

export { type Measurement, summarize } from './stats.ts';
export { type NoiseReading, describeNoise, noiseProbe, noiseProbeOnThreads } from './noise.ts';
export { type CpuSampleOptions, type CpuTimings, type TimedRun, collectGarbage, cpuMs, timeInterleaved } from './cpu.ts';

export interface MeasureOptions {
  /** Timed runs at least (default 5). */
  minReps?: number;
  /** Keep running until this much time has been spent in timed runs (default 200 ms). */
  minMs?: number;
  /** Untimed runs first, to let the JIT settle (default 1). */
  warmup?: number;
}

/**
 * Runs `fn` `warmup` times untimed, then until both `minReps` runs and `minMs` milliseconds are done.
 *
 * @example
 * const t = measure(() => gemm(n, n, n, a, b, c), { minReps: 5, minMs: 500 });
 * console.log(`${((2 * n ** 3) / t.best / 1e6).toFixed(2)} GFLOP/s`);
 */
export function measure(fn: () => unknown, { minReps = 5, minMs = 200, warmup = 1 }: MeasureOptions = {}): Measurement {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < minReps || spent < minMs) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    samples.push(dt);
    spent += dt;
  }
  return summarize(samples);
}

/**
 * Prints rows of cells as a table; the first row is the header. Columns are padded to equal width,
 * text left-aligned, numbers and numeric strings (`'5.30'`, `'4.1×'`, `'12%'`) right-aligned.
 *
 * @example
 * printTable([['size', 'GFLOP/s'], ['256', 5.31], ['512', 5.02]]);
 * // size  GFLOP/s
 * // ----  -------
 * // 256      5.31
 * // 512      5.02
 */
export function printTable(rows: readonly (readonly (string | number)[])[], write: (line: string) => void = console.log): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell).length)));
  const line = (row: readonly (string | number)[]) =>
    row
      .map((cell, i) => (isNumeric(cell) ? String(cell).padStart(widths[i]!) : String(cell).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  rows.forEach((row, r) => {
    write(line(row));
    if (r === 0) write(widths.map((w) => '-'.repeat(w)).join('  '));
  });
}

function isNumeric(cell: string | number): boolean {
  return typeof cell === 'number' || /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s?[x×%]?$/i.test(cell);
}

/**
 * True when the script was started with `--json` (print one JSON object instead of a table).
 *
 * @example
 * if (wantsJson()) console.log(JSON.stringify(results)); else printTable(rows);
 */
export function wantsJson(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--json');
}

// Why not pure-rand, which @chainrule/variants uses: a different job. The variants pick unbiased
// whole numbers in a published package (pure-rand's uniformInt); the benches and the randomized
// tests of five packages want uniform floats from a dev-only helper, and their inputs are this
// exact sequence — moving it to pure-rand's uniformFloat64 would change every seeded test problem
// at once, a change for those packages' owners to make with their tests in hand.
/**
 * A seeded generator of uniform numbers in [0, 1) (mulberry32): the same seed gives the same
 * sequence, so benchmarks and randomized tests are repeatable.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `length` seeded uniform values in [-1, 1).
 *
 * @example
 * const a = randomArray(512 * 512, 1);
 */
export function randomArray(length: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length }, () => random() * 2 - 1);
}
