// Scale of the graph builder: parse, build, differentiate and evaluate chains of 1,000 / 10,000 /
// 100,000 nodes. Linear means the time per node stays flat: the ratio column divides each size's
// time per node by that of the smallest chain, measured in the same run.
import { measure, printTable, wantsJson } from '@chainrule/bench';
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
const rows: { nodes: number; parseMs: number; buildMs: number; gradientMs: number; evaluateMs: number; totalMs: number }[] = [];
for (const length of SIZES) {
  const source = chain(length);
  const reps = { minReps: length >= 100_000 ? 2 : 5, minMs: 100, warmup: 1 };
  const parsed = parseEquations(source);
  const graph = graphFromEquations(parsed, { wrt: ['W'] });
  const withGradients = gradientGraph(graph, ['W']);
  const parseMs = measure(() => parseEquations(source), reps).median;
  const buildMs = measure(() => graphFromEquations(parsed, { wrt: ['W'] }), reps).median;
  const gradientMs = measure(() => gradientGraph(graph, ['W']), reps).median;
  const evaluateMs = measure(() => evaluate(withGradients, values), reps).median;
  rows.push({ nodes: withGradients.nodes.length, parseMs, buildMs, gradientMs, evaluateMs, totalMs: parseMs + buildMs + gradientMs + evaluateMs });
}

const baseline = rows[0]!.totalMs / rows[0]!.nodes;
const report = rows.map((r) => ({ ...r, microsecondsPerNode: (r.totalMs / r.nodes) * 1000, ratioPerNode: r.totalMs / r.nodes / baseline }));
if (wantsJson()) {
  console.log(JSON.stringify({ benchmark: 'graph-scale', linear: report.every((r) => r.ratioPerNode < 3), rows: report }, null, 2));
} else {
  console.log('graph builder scale: chains (forward + gradient nodes), median times in ms');
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
