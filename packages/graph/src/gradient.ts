import { ChainruleError } from '@chainrule/tensor';
import { type Expr, algebra, constant, idsOf, readsAny, ref } from './expr.ts';
import { type GraphNode, Graph, gradientId } from './graph.ts';
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
 *
 * @example
 * const graph = buildGraph(['L = 1/2 ||y - yhat||^2', 'y = W x'], { wrt: ['W'] });
 * const withGradients = gradientGraph(graph, ['W']);
 * formatExpr(withGradients.node('dL/dW').expression!, withGradients); // '(∂L/∂y) xᵀ'
 */
export function gradientGraph(graph: Graph, wrt: readonly string[], options: GradientOptions = {}): Graph {
  const resolve = (name: string) => graph.resolve(name) ?? name;
  const of = options.of !== undefined ? resolve(options.of) : graph.loss;
  if (of === undefined) throw new ChainruleError('gradient', 'the graph has no loss: name the node to differentiate');
  const target = graph.node(of);
  const wrtIds = wrt.map((name) => {
    const id = resolve(name);
    if (!graph.has(id)) throw new ChainruleError('gradient', `cannot differentiate with respect to '${name}': it is not a node of the graph`);
    return id;
  });

  const needed = nodesBetween(graph, wrtIds, of);
  const contributions = new Map<string, Expr[]>();
  const gradientNodes: GraphNode[] = [];
  const gradientOf = new Map<string, Expr>();

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
      gradientOf.set(node.id, upstream);
    }
    if (node.expression) backpropagate(node.expression, upstream, needed, contributions);
  }

  for (const id of wrtIds) {
    if (!gradientOf.has(id) && id !== of) {
      throw new ChainruleError(
        'gradient',
        `${target.label} does not depend on ${graph.node(id).label}: there is no path from it to ${target.label}, so its gradient is zero`,
      );
    }
  }
  return new Graph([...graph.nodes, ...gradientNodes], graph.loss);
}

/** Nodes that lie on a path from one of `sources` to `sink` (both ends included). */
function nodesBetween(graph: Graph, sources: readonly string[], sink: string): Set<string> {
  const downstream = new Set(sources);
  for (const node of graph.nodes) {
    if (node.expression && idsOf(node.expression).some((id) => downstream.has(id))) downstream.add(node.id);
  }
  const between = new Set<string>();
  if (!downstream.has(sink)) return between;
  between.add(sink);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!between.has(node.id) || !node.expression) continue;
    for (const id of idsOf(node.expression)) if (downstream.has(id)) between.add(id);
  }
  return between;
}

/**
 * Pushes `upstream` (the gradient of the whole expression) down the expression tree with each
 * op's rule, collecting the contribution to every needed node it reaches. Subtrees that reach
 * no needed node are skipped, so their symbolic zeros are never built.
 */
function backpropagate(expression: Expr, upstream: Expr, needed: ReadonlySet<string>, contributions: Map<string, Expr[]>): void {
  const reaches = readsAny(expression, needed, new Map());
  const stack: [Expr, Expr][] = [[expression, upstream]];
  while (stack.length > 0) {
    const [e, dy] = stack.pop()!;
    if (e.kind === 'ref') {
      if (needed.has(e.id)) {
        if (!contributions.has(e.id)) contributions.set(e.id, []);
        contributions.get(e.id)!.push(dy);
      }
      continue;
    }
    if (e.kind === 'const' || reaches.get(e) !== true) continue;
    const record = opRecord(e.op);
    if (!record.gradient) {
      throw new ChainruleError('gradient', `cannot differentiate through '${record.name}': the op table has no gradient rule for it (give its entry a gradient, or a derivative with one)`);
    }
    const parts = record.gradient({ dy, node: e, args: e.args });
    parts.forEach((part, index) => {
      if (part !== null && !record.shapeOnly.includes(index)) stack.push([e.args[index]!, part]);
    });
  }
}

/** The sum of many contributions as a balanced tree, so a value used by thousands of nodes does not make a deep expression. */
function balancedSum(terms: readonly Expr[]): Expr | null {
  if (terms.length === 0) return null;
  if (terms.length === 1) return terms[0]!;
  const middle = terms.length >> 1;
  return algebra.add(balancedSum(terms.slice(0, middle)), balancedSum(terms.slice(middle)));
}
