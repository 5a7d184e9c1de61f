/**
 * The element-wise kernels against a hand-written loop of the same arithmetic, interleaved in one
 * run, all kernels called in turn (as an evaluation calls them, so a shared loop calling its
 * arithmetic as a function would see many functions and lose its inlining): at most 1.25× the
 * hand-written loop. `tsx bench/elementwise.bench.ts [--json]`. Takes about 10 seconds.
 */
import { measure, noiseProbe, printTable, randomArray, wantsJson } from '@chainrule/bench';
import { Tensor, add, mul, neg, tanh, sigmoid } from '../src/index.ts';

const TARGET = 1.25;
const NOISE_LIMIT = 0.15;

function sigmoidOf(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

interface Case {
  name: string;
  kernel: (a: Tensor, b: Tensor) => Tensor;
  /** The same arithmetic as a kernel written out by hand: one plain loop into a fresh array, made a tensor. */
  loop: (a: Float64Array, b: Float64Array, shape: readonly number[]) => Tensor;
}

const CASES: Case[] = [
  { name: 'add', kernel: (a, b) => add(a, b), loop: (a, b, shape) => { const o = new Float64Array(a.length); for (let i = 0; i < o.length; i++) o[i] = a[i]! + b[i]!; return new Tensor(o, shape); } },
  { name: 'mul by a scalar', kernel: (a) => mul(a, 0.5), loop: (a, _b, shape) => { const o = new Float64Array(a.length); for (let i = 0; i < o.length; i++) o[i] = a[i]! * 0.5; return new Tensor(o, shape); } },
  { name: 'neg', kernel: (a) => neg(a), loop: (a, _b, shape) => { const o = new Float64Array(a.length); for (let i = 0; i < o.length; i++) o[i] = -a[i]!; return new Tensor(o, shape); } },
  { name: 'tanh', kernel: (a) => tanh(a), loop: (a, _b, shape) => { const o = new Float64Array(a.length); for (let i = 0; i < o.length; i++) o[i] = Math.tanh(a[i]!); return new Tensor(o, shape); } },
  { name: 'sigmoid', kernel: (a) => sigmoid(a), loop: (a, _b, shape) => { const o = new Float64Array(a.length); for (let i = 0; i < o.length; i++) o[i] = sigmoidOf(a[i]!); return new Tensor(o, shape); } },
];

function compare(c: Case, size: number): { kernelUs: number; loopUs: number; ratio: number } {
  const a = new Tensor(Float64Array.from(randomArray(size, 1)), [size]);
  const b = new Tensor(Float64Array.from(randomArray(size, 2)), [size]);
  const reference = c.loop(a.data, b.data, a.shape).data;
  const result = c.kernel(a, b).data;
  for (let i = 0; i < size; i++) if (!Object.is(result[i], reference[i])) throw new Error(`${c.name}: entry ${i} is ${result[i]}, the plain loop gives ${reference[i]}`);
  let kernel = Infinity;
  let loop = Infinity;
  const reps = Math.max(1, Math.round(20_000 / size));
  for (let round = 0; round < 6; round++) {
    kernel = Math.min(kernel, measure(() => { for (let r = 0; r < reps; r++) c.kernel(a, b); }, { minReps: 3, minMs: 15 }).best / reps);
    loop = Math.min(loop, measure(() => { for (let r = 0; r < reps; r++) c.loop(a.data, b.data, a.shape); }, { minReps: 3, minMs: 15 }).best / reps);
  }
  return { kernelUs: kernel * 1000, loopUs: loop * 1000, ratio: kernel / loop };
}

const before = noiseProbe();
const rows = CASES.flatMap((c) => [64, 4096].map((size) => ({ name: c.name, size, ...compare(c, size) })));
const after = noiseProbe();
const spread = Math.max(before.spread, after.spread);
const quiet = spread <= NOISE_LIMIT;
const misses = rows.filter((r) => r.ratio > TARGET).map((r) => `${r.name} of ${r.size}: ${r.ratio.toFixed(2)}× the plain loop`);
const verdict = misses.length === 0 ? 'PASS' : quiet ? 'FAIL' : 'NOISY (misses not judged)';
if (wantsJson()) {
  console.log(JSON.stringify({ benchmark: 'elementwise', target: TARGET, noise: { spread, limit: NOISE_LIMIT, quiet }, rows, misses, verdict }, null, 2));
} else {
  console.log(`CPU-noise probe: busy loop spread ${(before.spread * 100).toFixed(0)}% before, ${(after.spread * 100).toFixed(0)}% after (quiet when ≤ ${NOISE_LIMIT * 100}%)`);
  console.log(`\nelement-wise kernels vs a hand-written loop (target ≤ ${TARGET}×; fastest of interleaved runs)`);
  printTable([
    ['kernel', 'entries', 'kernel µs', 'plain loop µs', 'ratio', 'verdict'],
    ...rows.map((r) => [r.name, String(r.size), r.kernelUs.toFixed(3), r.loopUs.toFixed(3), `${r.ratio.toFixed(2)}×`, r.ratio <= TARGET ? 'ok' : 'MISS']),
  ]);
  for (const miss of misses) console.log(`miss: ${miss}`);
  console.log(`verdict: ${verdict}`);
}
if (verdict === 'FAIL') process.exitCode = 1;
