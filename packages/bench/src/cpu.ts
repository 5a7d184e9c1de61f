// Scaling measured in CPU time: the same work at several sizes, the sizes taking turns round
// after round, each sample after a garbage collection and long enough to be read exactly.
// CPU time, not wall time: on a shared machine the wall time of a sample is mostly waiting for a
// core, which changes from one moment to the next; the CPU time a run takes barely does.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { summarize } from './stats.ts';

/**
 * CPU time this process has used so far (user + system, every thread), in milliseconds.
 *
 * @example
 * const c0 = cpuMs();
 * work();
 * console.log(`${(cpuMs() - c0).toFixed(1)} ms of CPU`);
 */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

let gc: ((options?: { type: 'major' | 'minor' }) => void) | undefined;

/**
 * A garbage collection, also without `node --expose-gc` (the flag is set at run time and V8's
 * `gc` read from a fresh context): `major` (full, the default) or `minor` (the young generation).
 *
 * @example
 * collectGarbage('minor'); // the previous sample's garbage is not charged to the next
 */
export function collectGarbage(type: 'major' | 'minor' = 'major'): void {
  if (!gc) {
    gc = (globalThis as { gc?: typeof gc }).gc;
    if (!gc) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as typeof gc;
    }
  }
  gc!({ type });
}

/**
 * The work at one size for {@link timeInterleaved}.
 *
 * @example
 * const size: TimedRun = { units: nodes, run: () => parseEquations(lines) };
 */
export interface TimedRun {
  /** Units of work at this size (expression nodes, say): sizes are compared per unit. */
  units: number;
  /** One run; gets what `setup` made for it. */
  run(prepared: unknown): unknown;
  /** Made before a sample for each of its runs, untimed: an input a run uses up (a fresh graph). */
  setup?(): unknown;
}

/**
 * Options of {@link timeInterleaved}.
 *
 * @example
 * timeInterleaved(sizes, { rounds: 7, sampleMs: 40 });
 */
export interface CpuSampleOptions {
  /** Rounds, every size sampled once in each (default 5). */
  rounds?: number;
  /** A sample repeats the run until it holds at least this much CPU time (default 30 ms). */
  sampleMs?: number;
  /** A run longer than this at one size: the larger sizes are skipped (default 1,500 ms). */
  budgetMs?: number;
  /** A run projected (by its growth so far) to take longer than this at the next size: that size is skipped (default 6,000 ms). */
  projectedLimitMs?: number;
}

/**
 * What {@link timeInterleaved} measured, per size (`undefined` where a size was skipped).
 *
 * @example
 * const { ratios } = timeInterleaved(sizes);
 * const linear = ratios.every((r) => r !== undefined && r <= 1.5);
 */
export interface CpuTimings {
  /** The CPU time of one run (ms): the median over the rounds. */
  ms: (number | undefined)[];
  /** The time per unit against the first size's, taken in the same round; the median over the rounds. */
  ratios: (number | undefined)[];
  /** (slowest − fastest) / median of the rounds' samples: how much the samples disagreed. */
  spreads: (number | undefined)[];
  /** Runs in one sample. */
  repeats: number[];
  /** Every sample's CPU ms of one run, by size, in round order. */
  samples: number[][];
  /** What a run at each size returned (its first, untimed run). */
  outputs: unknown[];
}

const median = (values: readonly number[]): number => summarize(values).median;

/**
 * One sample: `repeat` runs, each with its own setup made first; the CPU ms of one run. After a
 * young-generation collection: a full one makes the next 50–100 ms of V8 code run several times
 * slower (measured on this machine: parsing a 250-factor product 1.0 ms a run right after `gc()`,
 * 0.06 ms once warm again), which was most of the swing between samples.
 */
function sample(size: TimedRun, repeat: number): number {
  const prepared = Array.from({ length: repeat }, () => size.setup?.());
  collectGarbage('minor');
  const c0 = cpuMs();
  for (const input of prepared) size.run(input);
  return (cpuMs() - c0) / repeat;
}

/**
 * The CPU ms of one run, from runs until they hold `sampleMs` (each setup made untimed): one run
 * alone, right after the full collection, can take ten times as long as a warm one and would make
 * the samples ten times too short.
 */
function calibrate(size: TimedRun, sampleMs: number, budgetMs: number): number {
  let spent = 0;
  let runs = 0;
  while (spent < sampleMs) {
    const input = size.setup?.();
    const c0 = cpuMs();
    size.run(input);
    spent += cpuMs() - c0;
    runs++;
    if (spent > budgetMs) break;
  }
  return spent / runs;
}

/**
 * The CPU time of the same work at several sizes (smallest first), measured robustly on a shared
 * machine: after a full collection, each size is run once untimed and then until its runs hold
 * `sampleMs` to calibrate, going up the sizes (a size is skipped after one whose run took longer than `budgetMs`, or whose
 * growth projects past `projectedLimitMs`); then in an untimed warm-up round and `rounds` rounds,
 * down and up the sizes in turn, every size gets one sample of enough runs to hold `sampleMs` of
 * CPU time, taken after a young-generation collection.
 * Times and per-unit ratios are medians over the rounds; a ratio compares sizes within one round,
 * so a change of load between rounds does not pass for growth.
 *
 * @example
 * const sizes = [250, 1000, 4000].map((n) => ({ units: n, run: () => parse(source(n)) }));
 * const { ratios } = timeInterleaved(sizes); // [1, 1.02, 1.05]: linear
 */
export function timeInterleaved(sizes: readonly TimedRun[], options: CpuSampleOptions = {}): CpuTimings {
  const { rounds = 5, sampleMs = 30, budgetMs = 1_500, projectedLimitMs = 6_000 } = options;
  const outputs: unknown[] = sizes.map(() => undefined);
  const calibration: number[] = [];
  collectGarbage();
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    outputs[i] = size.run(size.setup?.());
    const ms = calibrate(size, sampleMs, budgetMs);
    calibration.push(ms);
    const next = sizes[i + 1];
    const growth = i === 0 ? 1 : Math.max(1, ms / size.units / (calibration[i - 1]! / sizes[i - 1]!.units));
    if (ms > budgetMs || (next !== undefined && ms * (next.units / size.units) * growth > projectedLimitMs)) break;
  }
  const active = calibration.length;
  const repeats = calibration.map((ms) => Math.max(1, Math.ceil(sampleMs / Math.max(ms, 1e-3))));
  // A size past the budget is not run again and again: two rounds then.
  const roundCount = calibration.some((ms) => ms > budgetMs) ? Math.min(rounds, 2) : rounds;
  const samples: number[][] = calibration.map(() => []);
  // Round −1 is not kept: its first samples still ran slower (the code of the smallest size, say, cooled while the largest warmed up).
  for (let round = roundCount === rounds ? -1 : 0; round < roundCount; round++) {
    for (let k = 0; k < active; k++) {
      const i = round % 2 === 0 ? k : active - 1 - k;
      const ms = sample(sizes[i]!, repeats[i]!);
      if (round >= 0) samples[i]!.push(ms);
    }
  }
  const perUnit = (i: number, round: number) => samples[i]![round]! / sizes[i]!.units;
  return {
    ms: sizes.map((_, i) => (i < active ? median(samples[i]!) : undefined)),
    ratios: sizes.map((_, i) => (i < active ? median(samples[i]!.map((_, round) => perUnit(i, round) / perUnit(0, round))) : undefined)),
    spreads: sizes.map((_, i) => (i < active ? (Math.max(...samples[i]!) - Math.min(...samples[i]!)) / median(samples[i]!) : undefined)),
    repeats: sizes.map((_, i) => repeats[i] ?? 0),
    samples,
    outputs,
  };
}
