import { type Edge, type Expr, type FormulaStyle, type Graph, type NodeKind, formatExpr, lookThrough, nodeLabel } from '@chainrule/graph';

/** A node as exporters draw it. */
export interface ViewNode {
  readonly id: string;
  readonly label: string;
  readonly kind: NodeKind;
  /** The top op of the node's expression (`matmul`, `relu`, …); `identity` when it only passes a value on; null for a leaf. */
  readonly op: string | null;
  readonly added: boolean;
  /** The defining formula, e.g. `u1 = W1 x` (absent for leaves). */
  readonly formula?: string;
  readonly latexLabel: string;
  readonly latexFormula?: string;
}

/** What exporters draw: nodes, edges, and which added nodes were hidden by simplification. */
export interface GraphView {
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly Edge[];
  /** Ids of the added nodes left out by `simplify`. */
  readonly hidden: readonly string[];
}

/** Options of {@link graphView}. */
export interface ViewOptions {
  /** Leave out added nodes that have exactly one input and one output (Assignment 9, 2b allows it). */
  simplify?: boolean;
}

/** The op a node is drawn with: bookkeeping wrappers (unbroadcast, expand) are looked through. */
function displayOp(expression: Expr | undefined): string | null {
  if (!expression) return null;
  const e = lookThrough(expression);
  if (e.kind === 'ref') return 'identity';
  if (e.kind === 'const') return 'const';
  return e.op;
}

/**
 * The drawable view of a graph, shared by every exporter.
 *
 * @example
 * const view = graphView(gradientGraph(graph, ['W1']), { simplify: true });
 * view.nodes.filter((n) => n.added).map((n) => n.label);
 */
export function graphView(graph: Graph, options: ViewOptions = {}): GraphView {
  const formula = (id: string, style: FormulaStyle) => {
    const expression = graph.node(id).expression;
    return expression ? `${nodeLabel(graph, id, style)} = ${formatExpr(expression, graph, style)}` : undefined;
  };
  let nodes: ViewNode[] = graph.nodes.map((node) => {
    const unicode = formula(node.id, 'unicode');
    const latex = formula(node.id, 'latex');
    return {
      id: node.id,
      label: nodeLabel(graph, node.id),
      kind: node.kind,
      op: displayOp(node.expression),
      added: node.added,
      ...(unicode === undefined ? {} : { formula: unicode }),
      latexLabel: nodeLabel(graph, node.id, 'latex'),
      ...(latex === undefined ? {} : { latexFormula: latex }),
    };
  });
  let edges = graph.edges();
  const hidden: string[] = [];
  if (options.simplify) {
    // Adjacency sets, updated as nodes are bypassed, so a chain of hidden nodes collapses to one edge.
    const incoming = new Map<string, Set<string>>(nodes.map((n) => [n.id, new Set()]));
    const outgoing = new Map<string, Set<string>>(nodes.map((n) => [n.id, new Set()]));
    for (const e of edges) {
      outgoing.get(e.from)!.add(e.to);
      incoming.get(e.to)!.add(e.from);
    }
    for (const node of nodes) {
      const ins = incoming.get(node.id)!;
      const outs = outgoing.get(node.id)!;
      if (!node.added || ins.size !== 1 || outs.size !== 1) continue;
      const [from] = ins;
      const [to] = outs;
      hidden.push(node.id);
      outgoing.get(from!)!.delete(node.id);
      incoming.get(to!)!.delete(node.id);
      outgoing.get(from!)!.add(to!);
      incoming.get(to!)!.add(from!);
      ins.clear();
      outs.clear();
    }
    const hiddenIds = new Set(hidden);
    nodes = nodes.filter((n) => !hiddenIds.has(n.id));
    edges = nodes.flatMap((n) => [...outgoing.get(n.id)!].map((to) => ({ from: n.id, to })));
  }
  return { nodes, edges, hidden };
}
