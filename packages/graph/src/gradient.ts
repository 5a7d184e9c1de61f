import { ChainruleError } from '@chainrule/tensor';
import { type Expr, type OpExpr, algebra, constant, idsOf, readsAny, ref } from './expr.ts';
import { type Graph, type GraphNode, extendGraph, gradientId } from './graph.ts';
import { withNamedParts } from './named-parts.ts';
import { opRecord } from './ops/index.ts';

/** Options of {@link gradientGraph}. */
export interface GradientOptions {
  /** The scalar node to differentiate; the graph's loss by default. */
  of?: string;
}

/**
 * Symbol-to-symbol reverse mode: returns the forward graph plus the gradient nodes needed for
 * ∂L/∂w of every `w` in `wrt`, each marked `added`. Only nodes on a path from a `wrt` node to
 * the loss get a gradient node; a node feeding several consumers gets the sum of their
 * contributions. The result is an ordinary graph: it evaluates, and can be differentiated again.
 * A long expression on the way (a product of many factors, deep nesting) is first cut into named
 * parts, nodes of their own (`L₍₁₎`), so that no gradient expression spells out a long forward one.
 *
 * @example
 * const graph = buildGraph(['L = 1/2 ||y - yhat||^2', 'y = W x'], { wrt: ['W'] });
 * const withGradients = gradientGraph(graph, ['W']);
 * formatExpr(withGradients.node('dL/dW').expression!, withGradients); // '(∂L/∂y) xᵀ'
 */
export function gradientGraph(forward: Graph, wrt: readonly string[], options: GradientOptions = {}): Graph {
  const of = options.of !== undefined ? (forward.resolve(options.of) ?? options.of) : forward.loss;
  if (of === undefined) throw new ChainruleError('gradient', 'the graph has no loss: name the node to differentiate');
  const target = forward.node(of);
  const wrtIds: string[] = [];
  for (const name of wrt) {
    const id = forward.resolve(name);
    if (id === undefined) throw new ChainruleError('gradient', `cannot differentiate with respect to '${name}': it is not a node of the graph`);
    wrtIds.push(id);
  }

  // Long expressions are cut into named parts first (see withNamedParts): a no-op for every usual graph.
  const onPath = nodesBetween(forward, wrtIds, of);
  const graph = withNamedParts(forward, onPath);
  const needed = graph === forward ? onPath : nodesBetween(graph, wrtIds, of);
  const contributions = new Map<string, Expr[]>();
  const reaches = new Map<Expr, boolean>();
  const gradientNodes: GraphNode[] = [];

  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!needed.has(node.id)) continue;
    let upstream: Expr | null;
    if (node.id === of) {
      upstream = constant(1);
    } else {
      const sum = balancedSum(contributions.get(node.id) ?? []);
      if (sum === null) continue;
      const id = gradientId(of, node.id);
      gradientNodes.push({
        id,
        label: `∂${target.label}/∂${node.label}`,
        kind: 'gradient',
        expression: sum,
        added: true,
        gradient: { of, wrt: node.id },
      });
      upstream = ref(id);
    }
    if (node.expression) backpropagate(node.expression, upstream, needed, contributions, reaches);
  }

  for (const id of wrtIds) {
    // A node with a contribution got its gradient node (a sum of contributions is never the symbolic zero).
    if (!contributions.has(id) && id !== of) {
      throw new ChainruleError(
        'gradient',
        `${target.label} does not depend on ${graph.node(id).label}: there is no path from it to ${target.label}, so its gradient is zero`,
      );
    }
  }
  return extendGraph(graph, gradientNodes);
}

/** Nodes that lie on a path from one of `sources` to `sink` (both ends included). */
function nodesBetween(graph: Graph, sources: readonly string[], sink: string): Set<string> {
  const reads = graph.nodes.map((node) => (node.expression ? idsOf(node.expression) : NO_IDS));
  const downstream = new Set(sources);
  graph.nodes.forEach((node, i) => {
    for (const id of reads[i]!) {
      if (downstream.has(id)) {
        downstream.add(node.id);
        break;
      }
    }
  });
  const between = new Set<string>();
  if (!downstream.has(sink)) return between;
  between.add(sink);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    if (!between.has(graph.nodes[i]!.id)) continue;
    for (const id of reads[i]!) if (downstream.has(id)) between.add(id);
  }
  return between;
}
const NO_IDS: readonly string[] = [];

/**
 * Pushes `upstream` (the gradient of the whole expression) down the expression tree with each
 * op's rule, collecting the contribution to every needed node it reaches. Subtrees that reach
 * no needed node are skipped, so their symbolic zeros are never built.
 */
function backpropagate(
  expression: Expr,
  upstream: Expr,
  needed: ReadonlySet<string>,
  contributions: Map<string, Expr[]>,
  reaches: Map<Expr, boolean>,
): void {
  const stack: [Expr, Expr][] = [[expression, upstream]];
  while (stack.length > 0) {
    const [e, dy] = stack.pop()!;
    if (e.kind === 'ref') {
      if (needed.has(e.id)) {
        const list = contributions.get(e.id);
        if (list) list.push(dy);
        else contributions.set(e.id, [dy]);
      }
      continue;
    }
    if (e.kind === 'const' || !readsNeeded(e, needed, reaches)) continue;
    const record = opRecord(e.op);
    if (!record.gradient) {
      throw new ChainruleError('gradient', `cannot differentiate through '${record.name}': the op table has no gradient rule for it (give its entry a gradient, or a derivative with one)`);
    }
    const parts = record.gradient({ dy, node: e, args: e.args });
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index];
      if (part !== null && part !== undefined && !record.shapeOnly.includes(index)) stack.push([e.args[index]!, part]);
    }
  }
}

/** Whether an op reads a needed node: at once for an op over references and numbers (most nodes), else from one memo for the whole differentiation. */
function readsNeeded(e: OpExpr, needed: ReadonlySet<string>, reaches: Map<Expr, boolean>): boolean {
  let direct = false;
  for (const arg of e.args) {
    if (arg.kind === 'op') return readsAny(e, needed, reaches).get(e) === true;
    if (arg.kind === 'ref' && needed.has(arg.id)) direct = true;
  }
  return direct;
}

/** The sum of many contributions as a balanced tree, so a value used by thousands of nodes does not make a deep expression. */
function balancedSum(terms: readonly Expr[], from = 0, to = terms.length): Expr | null {
  if (to === from) return null;
  if (to - from === 1) return terms[from]!;
  const middle = from + ((to - from) >> 1);
  return algebra.add(balancedSum(terms, from, middle), balancedSum(terms, middle, to));
}
