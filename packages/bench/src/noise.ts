// The one CPU-noise probe of every bench: a fixed busy loop, timed on this thread (sync) or on
// worker threads alone and in pairs (async, for benches whose work runs on several threads).
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { cpuMs } from './cpu.ts';
import { summarize } from './stats.ts';

/** The fixed amount of integer work (about 35 ms on one free core of this machine), as source: the worker threads run the same text. */
const LOOP_SOURCE = 'let x = 1; for (let i = 0; i < 5e6; i++) x = (x * 1103515245 + 12345) | 0; return x;';
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const busyLoop = new Function(LOOP_SOURCE) as () => number;

/** Wall-time spread above which a machine is loaded: the loop's runs differ by more than this share of their median. */
const SPREAD_LIMIT = 0.15;
/** Below this share of a core (CPU time / wall time of the loop) the probe's thread waited for one: loaded. */
const CPU_SHARE_LIMIT = 0.9;
/** Two threads at once this much slower than one: the cores are shared. */
const CONTENTION_LIMIT = 1.35;

/**
 * What a noise probe read. `quiet` is its verdict: a bench judges its targets only when it is true.
 *
 * @example
 * const reading: NoiseReading = noiseProbe();
 * if (!reading.quiet) console.log('NOISY: misses are reported, not judged');
 */
export interface NoiseReading {
  /** Wall time of each run of the loop (ms); on threads, of the loop alone. */
  samples: number[];
  /** (slowest − fastest) / median of `samples`: near 0 on a quiet machine. */
  spread: number;
  /** CPU time / wall time of the loop on this thread (1: it had a core to itself); on threads, not measured (1). */
  cpuShare: number;
  /** The 1-minute load average when the probe ran, and the machine's cores. */
  load: number;
  cores: number;
  /** On threads: the loop alone (median ms), on two threads at once (median of the slower, ms), and their ratio. */
  aloneMs?: number;
  pairMs?: number;
  contention?: number;
  quiet: boolean;
}

const median = (values: readonly number[]): number => summarize(values).median;
const spreadOf = (samples: readonly number[]): number => (Math.max(...samples) - Math.min(...samples)) / median(samples);

/**
 * The busy loop timed `runs` times on this thread: quiet when its wall times agree within 15% and
 * it ran for at least 90% of the wall time (it did not wait for a core).
 *
 * @example
 * const before = noiseProbe();
 * // … the bench …
 * const quiet = before.quiet && noiseProbe().quiet;
 */
export function noiseProbe(runs = 7): NoiseReading {
  const samples: number[] = [];
  let cpu = 0;
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    sink ^= busyLoop();
    samples.push(performance.now() - t0);
    cpu += cpuMs() - c0;
  }
  if (sink === 0.5) console.log(sink); // never: keeps the loop's result alive
  const spread = spreadOf(samples);
  const cpuShare = Math.min(1, cpu / samples.reduce((a, b) => a + b, 0));
  return { samples, spread, cpuShare, load: loadavg()[0]!, cores: availableParallelism(), quiet: spread <= SPREAD_LIMIT && cpuShare >= CPU_SHARE_LIMIT };
}

function timeOnThread(): Promise<number> {
  const source = `const { parentPort } = require('node:worker_threads'); const loop = () => { ${LOOP_SOURCE} }; loop(); const t = performance.now(); globalThis.sink = loop(); parentPort.postMessage(performance.now() - t);`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once('message', (ms: number) => {
      resolve(ms);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * The same loop on worker threads, alone and two at once, `rounds` times each: for benches whose
 * work runs on several threads (a browser page and its workers). On a quiet 2-core machine the two
 * threads take about as long as one; quiet when they take under 1.35× and the load average is
 * under three quarters of the cores.
 *
 * @example
 * const noise = await noiseProbeOnThreads();
 * console.log(describeNoise(noise, 'before'));
 */
export async function noiseProbeOnThreads(rounds = 5): Promise<NoiseReading> {
  const samples: number[] = [];
  const pair: number[] = [];
  for (let i = 0; i < rounds; i++) {
    samples.push(await timeOnThread());
    pair.push(Math.max(...(await Promise.all([timeOnThread(), timeOnThread()]))));
  }
  const aloneMs = median(samples);
  const pairMs = median(pair);
  const contention = pairMs / aloneMs;
  const cores = availableParallelism();
  const load = loadavg()[0]!;
  return { samples, spread: spreadOf(samples), cpuShare: 1, load, cores, aloneMs, pairMs, contention, quiet: contention < CONTENTION_LIMIT && load < cores * 0.75 };
}

/**
 * One line for a bench's output.
 *
 * @example
 * describeNoise(noiseProbe(), 'before');
 * // 'CPU noise before: loop spread 4%, 98% of a core, load 0.52 on 2 cores → quiet'
 */
export function describeNoise(noise: NoiseReading, label: string): string {
  const threads = noise.contention === undefined ? '' : `, alone ${noise.aloneMs!.toFixed(0)} ms, two at once ${noise.pairMs!.toFixed(0)} ms (×${noise.contention.toFixed(2)})`;
  const share = noise.contention === undefined ? `, ${(noise.cpuShare * 100).toFixed(0)}% of a core` : '';
  return `CPU noise ${label}: loop spread ${(noise.spread * 100).toFixed(0)}%${share}${threads}, load ${noise.load.toFixed(2)} on ${noise.cores} cores → ${noise.quiet ? 'quiet' : 'LOADED'}`;
}
