// Scale of the graph builder: parse, build, differentiate and evaluate chains of 1,000 / 10,000 /
// 100,000 nodes. Linear means the time per node stays flat: the ratio column divides each size's
// time per node by that of the smallest chain. CPU time, the sizes of each stage taking turns in
// interleaved rounds (@chainrule/bench's timeInterleaved: medians of same-round ratios).
import { describeNoise, noiseProbe, printTable, timeInterleaved, wantsJson } from '@chainrule/bench';
import { evaluate, gradientGraph, graphFromEquations, parseEquations } from '@chainrule/graph';

const SIZES = [1_000, 10_000, 100_000];
const ACTIVATIONS = ['tanh', 'sigmoid', 'relu'];

/** A chain h1 = tanh(W x), h2 = sigmoid(h1) …, L = 1/2 ||h_n - yhat||^2 with n intermediate nodes. */
function chain(length: number): string[] {
  const lines = ['h1 = tanh(W x)'];
  for (let k = 2; k <= length; k++) lines.push(`h${k} = ${ACTIVATIONS[k % 3]}(h${k - 1})`);
  lines.push(`L = 1/2 ||h${length} - yhat||^2`);
  return lines;
}

const values = { W: [[0.5, -0.25], [0.1, 0.2]], x: [1, 2], yhat: [0, 1] };
const STAGES = ['parse', 'build', 'gradient', 'evaluate'] as const;
type Stage = (typeof STAGES)[number];

const before = noiseProbe();
const chains = SIZES.map((length) => {
  const source = chain(length);
  const parsed = parseEquations(source);
  const graph = graphFromEquations(parsed, { wrt: ['W'] });
  const withGradients = gradientGraph(graph, ['W']);
  const run: Record<Stage, () => unknown> = {
    parse: () => parseEquations(source),
    build: () => graphFromEquations(parsed, { wrt: ['W'] }),
    gradient: () => gradientGraph(graph, ['W']),
    evaluate: () => evaluate(withGradients, values),
  };
  return { nodes: withGradients.nodes.length, run };
});
const ms = {} as Record<Stage, (number | undefined)[]>;
for (const stage of STAGES) {
  // The 100,000-node chain takes seconds a stage: three rounds, no size skipped.
  ms[stage] = timeInterleaved(chains.map((c) => ({ units: c.nodes, run: c.run[stage] })), { rounds: 3, budgetMs: 60_000, projectedLimitMs: Infinity }).ms;
}
const after = noiseProbe();
const rows = chains.map((c, i) => {
  const [parseMs, buildMs, gradientMs, evaluateMs] = STAGES.map((stage) => ms[stage][i]!);
  return { nodes: c.nodes, parseMs: parseMs!, buildMs: buildMs!, gradientMs: gradientMs!, evaluateMs: evaluateMs!, totalMs: parseMs! + buildMs! + gradientMs! + evaluateMs! };
});

const baseline = rows[0]!.totalMs / rows[0]!.nodes;
const report = rows.map((r) => ({ ...r, microsecondsPerNode: (r.totalMs / r.nodes) * 1000, ratioPerNode: r.totalMs / r.nodes / baseline }));
if (wantsJson()) {
  console.log(JSON.stringify({ benchmark: 'graph-scale', clock: 'cpu', noise: { before, after }, linear: report.every((r) => r.ratioPerNode < 3), rows: report }, null, 2));
} else {
  console.log(describeNoise(before, 'before'));
  console.log(describeNoise(after, 'after'));
  console.log('graph builder scale: chains (forward + gradient nodes), CPU ms of one run (median of interleaved rounds)');
  printTable([
    ['nodes', 'parse', 'build', 'gradient', 'evaluate', 'total', 'µs/node', 'per-node vs smallest'],
    ...report.map((r) => [
      r.nodes,
      r.parseMs.toFixed(1),
      r.buildMs.toFixed(1),
      r.gradientMs.toFixed(1),
      r.evaluateMs.toFixed(1),
      r.totalMs.toFixed(1),
      r.microsecondsPerNode.toFixed(2),
      `${r.ratioPerNode.toFixed(2)}×`,
    ]),
  ]);
  console.log(`linear (per-node time within 3× of the smallest chain): ${report.every((r) => r.ratioPerNode < 3) ? 'PASS' : 'FAIL'}`);
}
