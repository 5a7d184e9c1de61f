/**
 * Matrix multiply throughput: chainrule's gemm against the naive i-k-j loop, tfjs-backend-cpu and
 * ml-matrix. `tsx bench/matmul.bench.ts [--json]`. Takes about a minute.
 *
 * Engines are timed in interleaved rounds so that a noisy neighbour slows all of them alike, and
 * every engine's product is checked against gemm's once before timing.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Matrix } from 'ml-matrix';
import { gemm, gemmNaive } from '../src/gemm.ts';
import { type Measurement, measure, printTable, randomArray, summarize, wantsJson } from '@chainrule/bench';

const TARGETS = { tfjs: 4, mlMatrix: 6 } as const;

interface Case {
  m: number;
  k: number;
  n: number;
  /** The targets are defined on the square sizes; other shapes are reported for information. */
  target: boolean;
}

const CASES: Case[] = [
  { m: 256, k: 256, n: 256, target: true },
  { m: 512, k: 512, n: 512, target: true },
  { m: 1024, k: 1024, n: 1024, target: true },
  { m: 1023, k: 255, n: 1023, target: false },
];

type EngineId = 'chainrule' | 'naive' | 'tfjs' | 'mlMatrix';
const ENGINES: Record<EngineId, { label: string; precision: 'float64' | 'float32' }> = {
  chainrule: { label: 'chainrule gemm', precision: 'float64' },
  naive: { label: 'naive i-k-j', precision: 'float64' },
  tfjs: { label: 'tfjs-backend-cpu', precision: 'float32' },
  mlMatrix: { label: 'ml-matrix', precision: 'float64' },
};
/** Allowed max|x − ref| / max|ref| against gemm's result. */
const TOLERANCE = { float64: 1e-12, float32: 1e-4 } as const;


function relativeError(x: ArrayLike<number>, ref: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

function toMatrix(data: Float64Array, rows: number, cols: number): Matrix {
  const out = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.set(i, j, data[i * cols + j]!);
  return out;
}

interface Row {
  m: number;
  k: number;
  n: number;
  target: boolean;
  /** GFLOP/s from the best and the median run. */
  gflops: Record<EngineId, { best: number; median: number; runs: number }>;
  /** Max relative deviation of each engine's product from gemm's. */
  error: Record<EngineId, number>;
  ratio: { tfjs: number; mlMatrix: number };
  pass: boolean | null;
}

function runCase({ m, k, n, target }: Case, log: (s: string) => void): Row {
  const a = randomArray(m * k, 1 + m);
  const b = randomArray(k * n, 2 + n);
  const c = new Float64Array(m * n);
  const cNaive = new Float64Array(m * n);
  const ta = tf.tensor2d(Float32Array.from(a), [m, k]);
  const tb = tf.tensor2d(Float32Array.from(b), [k, n]);
  const ma = toMatrix(a, m, k);
  const mb = toMatrix(b, k, n);

  const run: Record<EngineId, () => ArrayLike<number>> = {
    chainrule: () => (gemm(m, n, k, a, b, c), c),
    naive: () => (gemmNaive(m, n, k, a, b, cNaive), cNaive),
    tfjs: () => {
      const out = tf.matMul(ta, tb);
      const data = out.dataSync();
      out.dispose();
      return data;
    },
    mlMatrix: () => ma.mmul(mb).to1DArray(),
  };
  const ids = Object.keys(ENGINES) as EngineId[];

  // The checking run is also the warm-up run; ml-matrix's to1DArray copy is only paid here.
  const ref = Float64Array.from(run.chainrule());
  const error = {} as Record<EngineId, number>;
  for (const id of ids) error[id] = relativeError(run[id](), ref);
  const time: Record<EngineId, () => unknown> = { ...run, mlMatrix: () => ma.mmul(mb) };

  // Every engine runs equally often, so that best-of favours none; slow sizes get fewer rounds.
  const flops = 2 * m * n * k;
  const rounds = flops > 4e8 ? 3 : 5;
  const runsPerRound = Math.max(1, Math.round(2e8 / flops));
  const samples = Object.fromEntries(ids.map((id) => [id, [] as number[]])) as Record<EngineId, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const id of ids) samples[id].push(...measure(time[id], { minReps: runsPerRound, minMs: 0, warmup: 0 }).samples);
    log('.');
  }
  ta.dispose();
  tb.dispose();

  const gf = (t: number) => flops / t / 1e6;
  const gflops = {} as Row['gflops'];
  for (const id of ids) {
    const s: Measurement = summarize(samples[id]);
    gflops[id] = { best: gf(s.best), median: gf(s.median), runs: s.samples.length };
  }
  const ratio = { tfjs: gflops.chainrule.best / gflops.tfjs.best, mlMatrix: gflops.chainrule.best / gflops.mlMatrix.best };
  const pass = target ? ratio.tfjs >= TARGETS.tfjs && ratio.mlMatrix >= TARGETS.mlMatrix : null;
  return { m, k, n, target, gflops, error, ratio, pass };
}

async function main(): Promise<void> {
  const json = wantsJson();
  tf.enableProdMode();
  await tf.setBackend('cpu');
  const log = (s: string) => process.stderr.write(s);

  const rows: Row[] = [];
  for (const cs of CASES) {
    log(`${cs.m}×${cs.k}·${cs.k}×${cs.n} `);
    rows.push(runCase(cs, log));
    log('\n');
  }

  const wrong = rows.flatMap((r) =>
    (Object.keys(ENGINES) as EngineId[])
      .filter((id) => !(r.error[id] <= TOLERANCE[ENGINES[id].precision]))
      .map((id) => `${ENGINES[id].label} at ${r.m}×${r.k}·${r.k}×${r.n}: relative error ${r.error[id].toExponential(2)}`),
  );
  const pass = rows.every((r) => r.pass !== false);

  if (json) {
    console.log(
      JSON.stringify(
        {
          unit: 'GFLOP/s = 2·m·n·k / seconds',
          statistic: 'best (and median) run; per size all engines run equally often, interleaved, after one checked warm-up run',
          node: process.version,
          engines: ENGINES,
          tolerance: TOLERANCE,
          targets: { ...TARGETS, on: 'square sizes' },
          rows,
          mismatches: wrong,
          pass,
        },
        null,
        2,
      ),
    );
  } else {
    const f = (x: number) => x.toFixed(2);
    printTable([
      ['m×k · k×n', 'chainrule', 'naive', 'tfjs (f32)', 'ml-matrix', 'vs tfjs', 'vs ml-matrix', 'target'],
      ...rows.map((r) => [
        `${r.m}×${r.k}·${r.k}×${r.n}`,
        f(r.gflops.chainrule.best),
        f(r.gflops.naive.best),
        f(r.gflops.tfjs.best),
        f(r.gflops.mlMatrix.best),
        `${r.ratio.tfjs.toFixed(1)}×`,
        `${r.ratio.mlMatrix.toFixed(1)}×`,
        r.pass === null ? '-' : r.pass ? 'PASS' : 'FAIL',
      ]),
    ]);
    console.log(
      `\nGFLOP/s = 2·m·n·k / best run (${rows.map((r) => r.gflops.chainrule.runs).join('/')} runs of each engine, interleaved), Node ${process.version}.` +
        `\ntfjs-backend-cpu computes in float32, the others in float64.` +
        ` Target on the square sizes: chainrule ≥ ${TARGETS.tfjs}× tfjs and ≥ ${TARGETS.mlMatrix}× ml-matrix.` +
        ` Overall: ${pass ? 'PASS' : 'FAIL'}.`,
    );
    if (wrong.length > 0) console.log(`\nWRONG RESULTS:\n  ${wrong.join('\n  ')}`);
  }
  // A missed target is only reported; a wrong product is an error.
  if (wrong.length > 0) process.exitCode = 1;
}

await main();
