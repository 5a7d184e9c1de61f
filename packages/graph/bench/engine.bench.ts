// The engine's scaling. Time per expression node of every stage (parse, build,
// differentiate, evaluate a new gradient graph (its plan included), print, the worked solution's
// substitutions, the view and each text exporter) at n = 250, 1,000 and 4,000 for five shapes of
// problem; linear means the time per node at each size stays within 1.5× of the smallest size
// (the gradient graph's cost against the forward graph's is gradient-cost.bench.ts). Every time is the fastest of its samples (the least disturbed by
// the other work of a shared machine), the sizes of a stage taking turns round after round (a
// change of load between sizes does not pass for growth); a sample at a small size runs the stage several times, so
// that every sample does about the work of one run at the largest size — one short run at n = 250
// fits between two garbage collections and would make a baseline no larger run can reach. A
// CPU-noise probe (a fixed busy loop timed several times) decides whether the machine is quiet
// enough to judge; on a noisy machine misses are reported but do not fail the run. The stages that
// write text also count the characters they write per expression node: a count, not a time, so a
// stage that writes more per node at a larger size (prefix products spelt out) fails on any machine. The SVG
// exporter is left out, and the TikZ stage is the exporter's own work around the layout (its input
// to Graphviz, reading a layout of the view's size, the picture): both lay out with Graphviz.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { measure, noiseProbe, printTable, wantsJson } from '@chainrule/bench';
import { type Expr, type Graph, evaluate, formatExpr, gradientGraph, graphFromEquations, parseEquations } from '@chainrule/graph';
import type { Tensor } from '@chainrule/tensor';
import { type BenchProblem, expressionNodes, matrix } from './problems.ts';

// The view, the exporters and the worked solution's substitutions are other packages that depend
// on this one: loaded from their sources at run time, so the graph package does not depend on them.
const exporting = (await import(new URL('../../export/src/index.ts', import.meta.url).href)) as {
  graphView(graph: Graph): unknown;
  EXPORTERS: Record<string, { render(view: unknown): string | Promise<string> }>;
};
interface ViewShape {
  nodes: readonly { id: string }[];
  edges: readonly { from: string; to: string }[];
}
const tikz = (await import(new URL('../../export/src/tikz.ts', import.meta.url).href)) as {
  tikzNames(view: unknown): Map<string, string>;
  layoutInput(view: unknown, name: ReadonlyMap<string, string>): string;
  readLayout(plain: string): unknown;
  writeTikz(view: unknown, name: ReadonlyMap<string, string>, placed: unknown): string;
};
const solutions = (await import(new URL('../../solutions/src/substitute.ts', import.meta.url).href)) as {
  substitution(expression: Expr, graph: Graph, values: ReadonlyMap<string, Tensor>, style: { decimals: number }): unknown;
};

const SIZES = [250, 1_000, 4_000];
const LINEAR_TARGET = 1.5;
/** A stage slower than this at one size is not run at the next (it is superlinear already: a miss). */
const STAGE_BUDGET_MS = 1_500;
/** A stage projected to take longer than this at the next size is not run there (a miss). */
const PROJECTED_LIMIT_MS = 6_000;
const NOISE_LIMIT = 0.15;

type Problem = BenchProblem;
const ACTIVATIONS = ['tanh', 'sigmoid', 'tanh'];

/** Each shape makes a problem of about `n` expression nodes. */
const SHAPES: Record<string, (n: number) => Problem> = {
  'product chain': (n) => ({
    equations: [`L = sum(${Array.from({ length: n }, () => 'W').join(' ')})`],
    values: { W: matrix(4, 4, 1, 0.5) },
    wrt: ['W'],
  }),
  'equation chain': (n) => {
    const lines = ['h1 = tanh(W x)'];
    for (let k = 2; k <= n / 2; k++) lines.push(`h${k} = ${ACTIVATIONS[k % 3]}(h${k - 1})`);
    lines.push(`L = 1/2 ||h${n / 2} - yhat||^2`);
    return { equations: lines, values: { W: matrix(2, 2, 2), x: matrix(2, 1, 3), yhat: matrix(2, 1, 4) }, wrt: ['W'] };
  },
  'fan-out': (n) => {
    const lines = ['h = tanh(W x)', 's1 = tanh(h)'];
    for (let k = 2; k <= n / 4; k++) lines.push(`s${k} = s${k - 1} + tanh(h)`);
    lines.push(`L = sum(s${n / 4})`);
    return { equations: lines, values: { W: matrix(2, 2, 5), x: matrix(2, 1, 6) }, wrt: ['W'] };
  },
  'sum of terms': (n) => ({
    equations: ['y = W x', `L = sum(${Array.from({ length: n / 2 }, (_, k) => `${ACTIVATIONS[k % 3]}(y)`).join(' + ')})`],
    values: { W: matrix(2, 2, 7), x: matrix(2, 1, 8) },
    wrt: ['W'],
  }),
  'deep nesting': (n) => {
    const depth = 100; // within the parser's nesting limit
    const lines = ['h0 = W x'];
    const count = Math.max(1, Math.round(n / depth));
    for (let k = 1; k <= count; k++) lines.push(`h${k} = ${'tanh('.repeat(depth)}h${k - 1}${')'.repeat(depth)}`);
    lines.push(`L = sum(h${count})`);
    return { equations: lines, values: { W: matrix(2, 2, 9), x: matrix(2, 1, 10) }, wrt: ['W'] };
  },
};

/** Every node's formula; the characters written. */
function printAll(graph: Graph): number {
  let chars = 0;
  for (const node of graph.nodes) if (node.expression) chars += formatExpr(node.expression, graph).length;
  return chars;
}

/** Characters of a stage's output (a string, a view's formulas and labels, a substitution's two forms): counted, not timed. */
function textLength(output: unknown): number {
  if (typeof output === 'string') return output.length;
  if (typeof output === 'number') return output;
  const view = output as { nodes: readonly { label: string; formula?: string; latexFormula?: string }[] };
  return view.nodes.reduce((sum, node) => sum + node.label.length + (node.formula?.length ?? 0) + (node.latexFormula?.length ?? 0), 0);
}
/** The stages that write text: their output per expression node must not grow either (a count, judged on any machine). */
const TEXT_STAGES: ReadonlySet<Stage> = new Set(['print', 'substitute', 'view', 'json', 'dot', 'mermaid', 'tikz']);

const STAGES = ['parse', 'build', 'gradient', 'evaluate', 'print', 'substitute', 'view', 'json', 'dot', 'mermaid', 'tikz'] as const;
type Stage = (typeof STAGES)[number];

/**
 * Graphviz's `plain` output for a view, made up: every node somewhere, every edge one Bézier
 * segment. The TikZ export reads and writes as much for it as for a real layout of the same view.
 */
function syntheticLayout(view: ViewShape, name: ReadonlyMap<string, string>): string {
  const lines = ['graph 1 10 10'];
  view.nodes.forEach((node, i) => lines.push(`node ${name.get(node.id)} ${(i % 50) * 0.5} ${Math.floor(i / 50) * 0.5} 0.5 0.3 x solid ellipse black lightgrey`));
  for (const { from, to } of view.edges) lines.push(`edge ${name.get(from)} ${name.get(to)} 4 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 solid black`);
  lines.push('stop');
  return lines.join('\n');
}

// A full collection before each sample: the garbage of the untimed setup (a fresh gradient graph
// for the evaluate stage) and of the previous sample is not charged to the sample.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** One sample: `run` `repeat` times, each after its own `setup` (untimed, made before the sample); the time of one run. */
function sample(run: (prepared: unknown) => unknown, setup: () => unknown, repeat: number): { ms: number; output: unknown } {
  const prepared = Array.from({ length: repeat }, setup);
  collectGarbage();
  let output: unknown;
  const t0 = performance.now();
  for (const p of prepared) output = run(p);
  return { ms: (performance.now() - t0) / repeat, output };
}

type StageRun = readonly [(prepared: unknown) => unknown, (() => unknown)?];

/** A problem ready for every stage: what each stage starts from, made once, and the stage runs. */
function prepare(problem: Problem): { nodes: number; run: Record<Stage, StageRun> } {
  const parsed = parseEquations(problem.equations);
  const options = { wrt: problem.wrt, ...(problem.functions ? { functions: problem.functions } : {}) };
  const graph = graphFromEquations(parsed, options);
  const withGradients = gradientGraph(graph, problem.wrt);
  const values = evaluate(withGradients, problem.values);
  const view = exporting.graphView(withGradients);
  const plain = syntheticLayout(view as ViewShape, tikz.tikzNames(view));
  const run: Record<Stage, StageRun> = {
    parse: [() => parseEquations(problem.equations)],
    build: [() => graphFromEquations(parsed, options)],
    gradient: [() => gradientGraph(graph, problem.wrt)],
    // A new gradient graph each time: the evaluation a new problem gets, its plan included.
    evaluate: [(fresh) => evaluate(fresh as Graph, problem.values), () => gradientGraph(graph, problem.wrt)],
    print: [() => printAll(withGradients)],
    substitute: [
      () => {
        let chars = 0;
        for (const node of withGradients.nodes) {
          const shown = node.expression ? (solutions.substitution(node.expression, withGradients, values, { decimals: 4 }) as { unicode: string; latex: string } | undefined) : undefined;
          if (shown) chars += shown.unicode.length + shown.latex.length;
        }
        return chars;
      },
    ],
    view: [() => exporting.graphView(withGradients)],
    json: [() => exporting.EXPORTERS.json!.render(view)],
    dot: [() => exporting.EXPORTERS.dot!.render(view)],
    mermaid: [() => exporting.EXPORTERS.mermaid!.render(view)],
    tikz: [
      () => {
        const names = tikz.tikzNames(view);
        tikz.layoutInput(view, names);
        return tikz.writeTikz(view, names, tikz.readLayout(plain));
      },
    ],
  };
  return { nodes: expressionNodes(withGradients), run };
}

/**
 * The fastest time of one run of a stage at every size (undefined where skipped). The sizes take
 * turns, round after round, so a change in the machine's load between sizes does not pass for
 * growth. A sample at size i runs the stage `repeat(i)` times. Round 0 goes up the sizes and skips
 * the sizes after one that took more than the stage budget or whose growth projects past the limit.
 */
function timeStage(stage: Stage, problems: readonly { nodes: number; run: Record<Stage, StageRun> }[]): { best: (number | undefined)[]; chars: (number | undefined)[] } {
  const best: (number | undefined)[] = problems.map(() => undefined);
  const chars: (number | undefined)[] = problems.map(() => undefined);
  const repeat = (i: number) => Math.ceil(SIZES.at(-1)! / SIZES[i]!);
  let active = 0;
  for (let i = 0; i < problems.length; i++) {
    const [run, setup = () => undefined] = problems[i]!.run[stage];
    const first = sample(run, setup, repeat(i));
    best[i] = first.ms;
    if (TEXT_STAGES.has(stage)) chars[i] = textLength(first.output);
    active = i + 1;
    const next = SIZES[i + 1];
    if (best[i]! > STAGE_BUDGET_MS || (next !== undefined && projectedMs(best, problems, i, next) > PROJECTED_LIMIT_MS)) break;
  }
  let spent = best.reduce<number>((sum, ms, i) => sum + (ms ?? 0) * repeat(i), 0);
  for (let round = 1; round < 12 && (round < 3 || spent < 200) && best.every((ms) => ms === undefined || ms <= STAGE_BUDGET_MS); round++) {
    for (let i = 0; i < active; i++) {
      const [run, setup = () => undefined] = problems[i]!.run[stage];
      const { ms } = sample(run, setup, repeat(i));
      best[i] = Math.min(best[i]!, ms);
      spent += ms * repeat(i);
    }
  }
  return { best, chars };
}

/**
 * The time a stage would take at `nextSize` if its time per node keeps growing as it did from the
 * previous size to size `i`: a superlinear stage (an n² exporter) is skipped — and so missed —
 * before it takes minutes.
 */
function projectedMs(best: readonly (number | undefined)[], problems: readonly { nodes: number }[], i: number, nextSize: number): number {
  const perNode = (k: number) => best[k]! / problems[k]!.nodes;
  const growth = i === 0 ? 1 : Math.max(1, perNode(i) / perNode(i - 1));
  return best[i]! * (nextSize / SIZES[i]!) * growth;
}

// ---- run ----------------------------------------------------------------------------------------
const before = noiseProbe();
const scaling: { shape: string; stage: Stage; perNodeUs: (number | null)[]; ratios: (number | null)[]; charsPerNode?: number[]; textRatio?: number; pass: boolean; textPass: boolean }[] = [];
for (const [shape, make] of Object.entries(SHAPES)) {
  const problems = SIZES.map((n) => prepare(make(n)));
  for (const stage of STAGES) {
    const { best, chars } = timeStage(stage, problems);
    const perNodeUs = best.map((ms, i) => (ms === undefined ? null : (ms / problems[i]!.nodes) * 1000));
    const ratios = perNodeUs.map((t) => (t === null ? null : t / perNodeUs[0]!));
    const charsPerNode = TEXT_STAGES.has(stage) ? chars.flatMap((c, i) => (c === undefined ? [] : [c / problems[i]!.nodes])) : undefined;
    const textRatio = charsPerNode ? Math.max(...charsPerNode) / charsPerNode[0]! : undefined;
    scaling.push({
      shape,
      stage,
      perNodeUs,
      ratios,
      ...(charsPerNode ? { charsPerNode, textRatio: textRatio! } : {}),
      pass: ratios.every((r) => r !== null && r <= LINEAR_TARGET),
      textPass: textRatio === undefined || textRatio <= LINEAR_TARGET,
    });
  }
}
const after = noiseProbe();
const spread = Math.max(before.spread, after.spread);
const quiet = spread <= NOISE_LIMIT;
const misses = [
  ...scaling.filter((s) => !s.pass).map((s) => `${s.shape} / ${s.stage}: per-node time ${s.ratios.map((r) => (r === null ? 'skipped' : `${r.toFixed(2)}×`)).join(', ')}`),
];
// Characters are counted, not timed: a text stage whose output per node grows fails on any machine.
const textMisses = scaling.filter((s) => !s.textPass).map((s) => `${s.shape} / ${s.stage}: characters per node ${s.charsPerNode!.map((c) => c.toFixed(1)).join(', ')}`);
const verdict = textMisses.length > 0 ? 'FAIL' : misses.length === 0 ? 'PASS' : quiet ? 'FAIL' : 'NOISY (misses not judged)';

if (wantsJson()) {
  console.log(JSON.stringify({ benchmark: 'engine', sizes: SIZES, targets: { linear: LINEAR_TARGET }, noise: { spread, limit: NOISE_LIMIT, quiet }, scaling, misses, textMisses, verdict }, null, 2));
} else {
  console.log(`CPU-noise probe: busy loop spread ${(before.spread * 100).toFixed(0)}% before, ${(after.spread * 100).toFixed(0)}% after (quiet when ≤ ${NOISE_LIMIT * 100}%)`);
  console.log(`\ntime per expression node (µs) at n = ${SIZES.join(' / ')}; ratio to the smallest size (target ≤ ${LINEAR_TARGET}×; '-' = skipped: the previous size took > ${STAGE_BUDGET_MS} ms or its growth projected > ${PROJECTED_LIMIT_MS} ms)`);
  printTable([
    ['shape', 'stage', ...SIZES.map((n) => `µs/node n=${n}`), ...SIZES.slice(1).map((n) => `ratio ${n}`), 'chars/node growth', 'verdict'],
    ...scaling.map((s) => [
      s.shape,
      s.stage,
      ...s.perNodeUs.map((t) => (t === null ? '-' : t.toFixed(2))),
      ...s.ratios.slice(1).map((r) => (r === null ? '-' : `${r.toFixed(2)}×`)),
      s.textRatio === undefined ? '' : `${s.textRatio.toFixed(2)}×`,
      s.pass && s.textPass ? 'ok' : 'MISS',
    ]),
  ]);
  for (const miss of [...textMisses, ...misses]) console.log(`miss: ${miss}`);
  console.log(`verdict: ${verdict}`);
}
if (verdict === 'FAIL') process.exitCode = 1;
