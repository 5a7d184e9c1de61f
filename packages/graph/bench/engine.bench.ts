// The engine's scaling. Time per expression node of every stage (parse, build,
// differentiate, evaluate a new gradient graph (its plan included), print, the worked solution's
// substitutions, the view and each text exporter) at n = 250, 1,000 and 4,000 for five shapes of
// problem; linear means the time per node at each size stays within 1.5× of the smallest size
// (the gradient graph's cost against the forward graph's is gradient-cost.bench.ts).
// Measured in CPU time (a shared machine's wall time is mostly waiting for a core), by
// @chainrule/bench's timeInterleaved: the sizes of a stage take turns round after round, every
// sample after a full garbage collection and holding at least 30 ms of CPU time (a small size runs
// the stage many times), and a ratio is taken between the sizes of one round, its median over the
// rounds reported. The CPU-noise probe decides whether the machine is quiet enough to judge; on a
// loaded one misses are reported (NOISY) but do not fail the run. The stages that write text also
// count the characters they write per expression node: a count, not a time, so a stage that
// writes more per node at a larger size (prefix products spelt out) fails on any machine. The SVG
// exporter is left out, and the TikZ stage is the exporter's own work around the layout (its input
// to Graphviz, reading a layout of the view's size, the picture): both lay out with Graphviz.
import { type TimedRun, describeNoise, noiseProbe, printTable, timeInterleaved, wantsJson } from '@chainrule/bench';
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
const ROUNDS = 5;

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

// ---- run ----------------------------------------------------------------------------------------
// `--only shape/stage,…` runs just those pairs (profiling one stage); `--rounds N` changes the rounds.
const argValue = (flag: string) => {
  const at = process.argv.indexOf(flag);
  return at < 0 ? undefined : process.argv[at + 1];
};
const only = argValue('--only')?.split(',');
const rounds = Number(argValue('--rounds') ?? ROUNDS);
const before = noiseProbe();
const scaling: {
  shape: string;
  stage: Stage;
  perNodeUs: (number | null)[];
  ratios: (number | null)[];
  spreads: (number | null)[];
  repeats: number[];
  /** Every sample's CPU ms of one run, by size, in round order. */
  samples: number[][];
  charsPerNode?: number[];
  textRatio?: number;
  pass: boolean;
  textPass: boolean;
}[] = [];
for (const [shape, make] of Object.entries(SHAPES)) {
  const stages = STAGES.filter((stage) => !only || only.includes(`${shape}/${stage}`));
  if (stages.length === 0) continue;
  const problems = SIZES.map((n) => prepare(make(n)));
  for (const stage of stages) {
    const sizes: TimedRun[] = problems.map(({ nodes, run: { [stage]: [run, setup] } }) => ({ units: nodes, run, ...(setup ? { setup } : {}) }));
    const timed = timeInterleaved(sizes, { rounds, budgetMs: STAGE_BUDGET_MS, projectedLimitMs: PROJECTED_LIMIT_MS });
    const orNull = (values: readonly (number | undefined)[]) => values.map((v) => v ?? null);
    const perNodeUs = timed.ms.map((ms, i) => (ms === undefined ? null : (ms / problems[i]!.nodes) * 1000));
    const ratios = orNull(timed.ratios);
    const charsPerNode = TEXT_STAGES.has(stage) ? timed.outputs.flatMap((output, i) => (timed.ms[i] === undefined ? [] : [textLength(output) / problems[i]!.nodes])) : undefined;
    const textRatio = charsPerNode ? Math.max(...charsPerNode) / charsPerNode[0]! : undefined;
    scaling.push({
      shape,
      stage,
      perNodeUs,
      ratios,
      spreads: orNull(timed.spreads),
      repeats: timed.repeats,
      samples: timed.samples,
      ...(charsPerNode ? { charsPerNode, textRatio: textRatio! } : {}),
      pass: ratios.every((r) => r !== null && r <= LINEAR_TARGET),
      textPass: textRatio === undefined || textRatio <= LINEAR_TARGET,
    });
  }
}
const after = noiseProbe();
const quiet = before.quiet && after.quiet;
const misses = scaling.filter((s) => !s.pass).map((s) => `${s.shape} / ${s.stage}: per-node time ${s.ratios.map((r) => (r === null ? 'skipped' : `${r.toFixed(2)}×`)).join(', ')}`);
// Characters are counted, not timed: a text stage whose output per node grows fails on any machine.
const textMisses = scaling.filter((s) => !s.textPass).map((s) => `${s.shape} / ${s.stage}: characters per node ${s.charsPerNode!.map((c) => c.toFixed(1)).join(', ')}`);
const verdict = textMisses.length > 0 ? 'FAIL' : misses.length === 0 ? 'PASS' : quiet ? 'FAIL' : 'NOISY (misses not judged)';

if (wantsJson()) {
  console.log(JSON.stringify({ benchmark: 'engine', sizes: SIZES, clock: 'cpu', rounds, targets: { linear: LINEAR_TARGET }, noise: { before, after, quiet }, scaling, misses, textMisses, verdict }, null, 2));
} else {
  console.log(describeNoise(before, 'before'));
  console.log(describeNoise(after, 'after'));
  console.log(
    `\nCPU time per expression node (µs, median of ${rounds} interleaved rounds) at n = ${SIZES.join(' / ')}; ratio to the smallest size in the same round, median (target ≤ ${LINEAR_TARGET}×); ` +
      `spread: how much the largest size's rounds disagreed; '-' = skipped: the previous size took > ${STAGE_BUDGET_MS} ms or its growth projected > ${PROJECTED_LIMIT_MS} ms`,
  );
  printTable([
    ['shape', 'stage', ...SIZES.map((n) => `µs/node n=${n}`), ...SIZES.slice(1).map((n) => `ratio ${n}`), 'spread', 'chars/node growth', 'verdict'],
    ...scaling.map((s) => [
      s.shape,
      s.stage,
      ...s.perNodeUs.map((t) => (t === null ? '-' : t.toFixed(2))),
      ...s.ratios.slice(1).map((r) => (r === null ? '-' : `${r.toFixed(2)}×`)),
      `${((s.spreads.findLast((x) => x !== null) ?? 0) * 100).toFixed(0)}%`,
      s.textRatio === undefined ? '' : `${s.textRatio.toFixed(2)}×`,
      s.pass && s.textPass ? 'ok' : 'MISS',
    ]),
  ]);
  for (const miss of [...textMisses, ...misses]) console.log(`miss: ${miss}`);
  console.log(`verdict: ${verdict}`);
}
if (verdict === 'FAIL') process.exitCode = 1;
