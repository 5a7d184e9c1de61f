/**
 * How busy the machine is while the page's bench runs (it shares 2 cores with others): the same
 * CPU-bound loop timed alone and on two threads at once. On a quiet 2-core machine the two
 * threads take about as long as one; when other work holds the cores, they take up to twice as
 * long, and the load average says the same from the outside.
 */
import { loadavg, availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { summarize } from '@chainrule/bench';

/** A fixed amount of integer work (about 60 ms on one free core). */
const LOOP = `{ let x = 1; for (let i = 0; i < 1e7; i++) x = (x * 1103515245 + 12345) | 0; globalThis.sink = x; }`;

function timeOnThread(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`const { parentPort } = require('node:worker_threads'); ${LOOP}; const t = performance.now(); ${LOOP}; parentPort.postMessage(performance.now() - t);`, { eval: true });
    worker.once('message', (ms: number) => {
      resolve(ms);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** The probe's reading. */
export interface Noise {
  /** The loop alone, median ms. */
  aloneMs: number;
  /** The loop on two threads at once, median of the slower thread, ms. */
  pairMs: number;
  /** pairMs / aloneMs: about 1 when two cores are free, 2 when only one is. */
  contention: number;
  /** The 1-minute load average when the probe ran, and the machine's cores. */
  load: number;
  cores: number;
  quiet: boolean;
}

/** Times the loop alone and in pairs, `rounds` times each. @example const noise = await probeNoise(); noise.quiet */
export async function probeNoise(rounds = 5): Promise<Noise> {
  const alone: number[] = [];
  const pair: number[] = [];
  for (let i = 0; i < rounds; i++) {
    alone.push(await timeOnThread());
    pair.push(Math.max(...(await Promise.all([timeOnThread(), timeOnThread()]))));
  }
  const aloneMs = summarize(alone).median;
  const pairMs = summarize(pair).median;
  const cores = availableParallelism();
  const load = loadavg()[0]!;
  const contention = pairMs / aloneMs;
  // Quiet: the two threads barely slow each other, and the load average is under the cores.
  return { aloneMs, pairMs, contention, load, cores, quiet: contention < 1.35 && load < cores * 0.75 };
}

/** One line for the bench's output. */
export function describeNoise(noise: Noise, label: string): string {
  return `CPU noise ${label}: loop alone ${noise.aloneMs.toFixed(0)} ms, two at once ${noise.pairMs.toFixed(0)} ms (×${noise.contention.toFixed(2)}), load ${noise.load.toFixed(2)} on ${noise.cores} cores → ${noise.quiet ? 'quiet' : 'LOADED'}`;
}
