// The grader's scaling: preparing a grader for a problem (its reference solution) and grading one
// whole submission — every step right, and the same with a slip in the first step, which makes
// every later step be recomputed from the student's own values (error carried forward) — timed
// per expression node at n = 250, 1,000 and 4,000 for four shapes of problem. Linear means the
// time per node at each size stays within 1.5× of the smallest size. Times are CPU time, the sizes
// of a stage taking turns in interleaved rounds (@chainrule/bench's timeInterleaved: medians of
// same-round ratios); a CPU-noise probe decides whether the machine is quiet enough to judge.
import { type TimedRun, describeNoise, noiseProbe, printTable, timeInterleaved, wantsJson } from '@chainrule/bench';
import { type ProblemInput, parseProblem, solveProblem } from '@chainrule/problem';
import { createGrader } from '../src/index.ts';
// The engine benches' count of expression nodes (the graph package's bench folder, read from source).
import { expressionNodes } from '../../graph/bench/problems.ts';

const SIZES = [250, 1_000, 4_000];
const LINEAR_TARGET = 1.5;
const ACTIVATIONS = ['tanh', 'sigmoid', 'tanh'];
const W = [[0.5, -0.25], [0.125, 0.75]];
const X = [1, -0.5];

/** Each shape makes a problem of about `n` expression nodes. */
const SHAPES: Record<string, (n: number) => ProblemInput> = {
  'equation chain': (n) => {
    const lines = ['h1 = tanh(W x)'];
    for (let k = 2; k <= n / 2; k++) lines.push(`h${k} = ${ACTIVATIONS[k % 3]}(h${k - 1})`);
    lines.push(`L = 1/2 ||h${n / 2} - yhat||^2`);
    return { equations: lines, values: { W, x: X, yhat: [0.25, -0.25] }, wrt: ['W'] };
  },
  'fan-out': (n) => {
    const lines = ['h = tanh(W x)'];
    const terms: string[] = [];
    for (let k = 1; k <= n / 3; k++) {
      lines.push(`s${k} = ${ACTIVATIONS[k % 3]}(h)`);
      terms.push(`s${k}`);
    }
    lines.push(`L = sum(${terms.join(' + ')})`);
    return { equations: lines, values: { W, x: X }, wrt: ['W'] };
  },
  'product chain': (n) => ({
    equations: [`L = sum(${Array.from({ length: n }, () => 'M').join(' ')} x)`],
    values: { M: [[0, 1], [-1, 0]], x: X }, // a rotation: its powers stay small, exactly
    wrt: ['M'],
  }),
  'sum of terms': (n) => ({
    equations: ['y = W x', `L = sum(${Array.from({ length: n / 2 }, (_, k) => `${ACTIVATIONS[k % 3]}(y)`).join(' + ')})`],
    values: { W, x: X },
    wrt: ['W'],
  }),
};

const STAGES = ['prepare', 'grade right', 'grade slip'] as const;
type Stage = (typeof STAGES)[number];

/** The grader prepared for a problem, and the runs of each stage. */
function prepare(input: ProblemInput): { nodes: number; run: Record<Stage, () => unknown> } {
  const solved = solveProblem(parseProblem(input));
  const right = solved.result;
  const [first, firstValue] = Object.entries(right.values)[0]!;
  const slipped = Array.isArray(firstValue) ? firstValue.map((row) => (Array.isArray(row) ? row.map((v) => v + 0.5) : row + 0.5)) : firstValue + 0.5;
  // The loss is given twice (as `loss` and under its name): a slip in it is a slip in both.
  const slip = { ...right, ...(first === solved.graph.loss ? { loss: slipped as number } : {}), values: { ...right.values, [first]: slipped } };
  const grader = createGrader(input);
  return {
    nodes: expressionNodes(solved.gradientGraph),
    run: { prepare: () => createGrader(input), 'grade right': () => grader.grade(right), 'grade slip': () => grader.grade(slip) },
  };
}

const before = noiseProbe();
const scaling: { shape: string; stage: Stage; perNodeUs: number[]; ratios: number[]; pass: boolean }[] = [];
for (const [shape, make] of Object.entries(SHAPES)) {
  const problems = SIZES.map((n) => prepare(make(n)));
  for (const stage of STAGES) {
    const sizes: TimedRun[] = problems.map((p) => ({ units: p.nodes, run: p.run[stage] }));
    const timed = timeInterleaved(sizes);
    const perNodeUs = timed.ms.map((ms, i) => ((ms ?? NaN) / problems[i]!.nodes) * 1000);
    const ratios = timed.ratios.map((r) => r ?? NaN);
    scaling.push({ shape, stage, perNodeUs, ratios, pass: ratios.every((r) => r <= LINEAR_TARGET) });
  }
}
const after = noiseProbe();
const quiet = before.quiet && after.quiet;
const misses = scaling.filter((s) => !s.pass).map((s) => `${s.shape} / ${s.stage}: per-node time ${s.ratios.map((r) => `${r.toFixed(2)}×`).join(', ')}`);
const verdict = misses.length === 0 ? 'PASS' : quiet ? 'FAIL' : 'NOISY (misses not judged)';

if (wantsJson()) {
  console.log(JSON.stringify({ benchmark: 'grader', sizes: SIZES, clock: 'cpu', target: LINEAR_TARGET, noise: { before, after, quiet }, scaling, misses, verdict }, null, 2));
} else {
  console.log(describeNoise(before, 'before'));
  console.log(describeNoise(after, 'after'));
  console.log(`\ngrader: CPU time per expression node (µs, median of interleaved rounds) at n = ${SIZES.join(' / ')}; ratio to the smallest size in the same round (target ≤ ${LINEAR_TARGET}×)`);
  printTable([
    ['shape', 'stage', ...SIZES.map((n) => `µs/node n=${n}`), ...SIZES.slice(1).map((n) => `ratio ${n}`), 'verdict'],
    ...scaling.map((s) => [s.shape, s.stage, ...s.perNodeUs.map((t) => t.toFixed(2)), ...s.ratios.slice(1).map((r) => `${r.toFixed(2)}×`), s.pass ? 'ok' : 'MISS']),
  ]);
  for (const miss of misses) console.log(`miss: ${miss}`);
  console.log(`verdict: ${verdict}`);
}
if (verdict === 'FAIL') process.exitCode = 1;
