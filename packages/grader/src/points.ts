import { ChainruleError, type Graph } from '@chainrule/graph';
import { type Problem, problemGraph } from '@chainrule/problem';
import { roundNumber } from '@chainrule/tensor';
import { type GradedQuestion, type LayeredNetworkInput, loadQuestion, questionTotal } from './questions.ts';

/**
 * A points scheme: the points of each step by name (`u1`, `L`, `∂L/∂W1`; `dL/dW1` works too)
 * and the total, which must be the sum of the items. A step earns its points when it is correct or
 * carried (correct from the student's own earlier values), none when wrong or missing.
 *
 * @example
 * const scheme: PointsScheme = { total: 2, items: { y: 1, '∂L/∂W': 1 } };
 */
export interface PointsScheme {
  total: number;
  items: Record<string, number>;
}

/**
 * The Q3 scheme (7 points). Forward pass 3 points: u1, u2, u3, y and L ½ point each, the ReLUs z1
 * and z2 ¼ each. Backward pass 4 points: ∂L/∂W1 2 (the longest chain: ∂L/∂y, W3ᵀ, f′(u1), xᵀ),
 * ∂L/∂W2 1 (through f′(u2)), ∂L/∂W3 1 (one outer product).
 *
 * @example
 * Object.values(Q3_POINTS.items).reduce((a, b) => a + b); // 7
 */
export const Q3_POINTS: PointsScheme = Object.freeze({
  total: 7,
  items: Object.freeze({
    u1: 0.5,
    z1: 0.25,
    u2: 0.5,
    z2: 0.25,
    u3: 0.5,
    y: 0.5,
    L: 0.5,
    '∂L/∂W1': 2,
    '∂L/∂W2': 1,
    '∂L/∂W3': 1,
  }),
}) as PointsScheme;

/** Share of Q1's 6 points for the forward pass; the gradients of the weights and biases get the rest. */
const Q1_FORWARD_POINTS = 1;

/**
 * The points scheme of a question. Q3: {@link Q3_POINTS}. Q1 (6 points, built for whichever layered
 * network is graded): 1 point spread evenly over the forward pass (every a⁽ᵏ⁾, h⁽ᵏ⁾ and L), 5 points
 * spread evenly over the gradients of all weights and biases — for the stand-in network 0.2 per
 * forward step and 1.25 per gradient. Shares are rounded to 0.01, the last item takes the remainder.
 *
 * @example
 * questionPoints('q1').items['∂L/∂b1']; // 1.25 (stand-in network)
 * questionPoints('q1', { network: slidesNetwork });
 */
export function questionPoints(question: GradedQuestion, options: { network?: LayeredNetworkInput } = {}): PointsScheme {
  if (question === 'q3') return { total: Q3_POINTS.total, items: { ...Q3_POINTS.items } };
  const { problem } = loadQuestion('q1', options.network);
  return spreadPoints(problem, { total: questionTotal('q1'), forward: Q1_FORWARD_POINTS });
}

/**
 * A points scheme for any problem: `forward` points spread evenly over the computed values (the loss
 * included), the rest of `total` evenly over the gradients of the parameters in `wrt`.
 *
 * @example
 * spreadPoints(problem, { total: 6, forward: 1 });
 */
export function spreadPoints(problem: Problem, { total, forward }: { total: number; forward: number }): PointsScheme {
  const graph = problemGraph(problem);
  const lossLabel = graph.loss === undefined ? 'L' : graph.node(graph.loss).label;
  const forwardNames = graph.nodes.filter((n) => n.expression).map((n) => n.label);
  const gradientNames = problem.wrt.map((name) => `∂${lossLabel}/∂${graph.node(graph.resolve(name) ?? name).label}`);
  const items: Record<string, number> = {};
  // In whole hundredths: each name gets the same share, and the hundredths left over go one each
  // to the last names, so the shares sum to `points` exactly and none is negative (rounding each
  // share and giving the last what remained made it −0.2 for 4 points over 61 steps).
  const spread = (names: string[], points: number) => {
    if (names.length === 0) return;
    const hundredths = Math.round(points * 100);
    const each = Math.floor(hundredths / names.length);
    const extra = hundredths - each * names.length;
    names.forEach((name, i) => {
      items[name] = roundNumber((each + (i >= names.length - extra ? 1 : 0)) / 100, 2);
    });
  };
  spread(forwardNames, gradientNames.length === 0 ? total : forward);
  spread(gradientNames, total - (forwardNames.length === 0 ? 0 : forward));
  return { total, items };
}

/**
 * Resolves the names of a scheme to node ids of the gradient graph and checks that the items sum to
 * the total. Errors carry the path of the fault (`points.items.foo`).
 */
export function resolvePoints(graph: Graph, scheme: PointsScheme): Map<string, number> {
  const byId = new Map<string, number>();
  let sum = 0;
  for (const [name, points] of Object.entries(scheme.items)) {
    const path = ['points', 'items', name];
    if (!Number.isFinite(points) || points < 0) throw new ChainruleError('problem', `points of '${name}' must be a number ≥ 0`, { path });
    const id = graph.resolve(name);
    if (id === undefined) throw new ChainruleError('problem', `'${name}' is not a step of the problem`, { path });
    const node = graph.node(id);
    if (!node.expression) {
      const hint = graph.loss !== undefined && graph.gradientNode(id) !== undefined ? `; did you mean ∂${graph.node(graph.loss).label}/∂${node.label}?` : '';
      throw new ChainruleError('problem', `'${name}' is given by the problem, not computed: it cannot earn points${hint}`, { path });
    }
    if (byId.has(id)) throw new ChainruleError('problem', `'${name}' is listed twice (as ${node.label})`, { path });
    byId.set(id, points);
    sum += points;
  }
  if (!Number.isFinite(scheme.total) || Math.abs(sum - scheme.total) > 1e-9) {
    throw new ChainruleError('problem', `the points of the items sum to ${roundNumber(sum, 6)}, not to the total ${scheme.total}`, {
      path: ['points', 'total'],
    });
  }
  return byId;
}
