import { ChainruleError } from '@chainrule/tensor';
import { type Expr, referencedIds } from './expr.ts';
import { shapeOnlyArgs } from './ops.ts';

/** What a node is: a leaf (input, parameter, target), a computed value, the loss, or a node added by differentiation. */
export type NodeKind = 'input' | 'parameter' | 'target' | 'intermediate' | 'loss' | 'gradient';

/** One node of a computational graph. Leaves have no expression. */
export interface GraphNode {
  /** Stable id: the canonical name (`W3`, `yhat`), or `dL/dW3` for a gradient node. */
  readonly id: string;
  /** The name as the equations write it (`W3`, `ŷ`), or `∂L/∂W3`. */
  readonly label: string;
  readonly kind: NodeKind;
  readonly expression?: Expr;
  /** True for the nodes symbol-to-symbol differentiation added. */
  readonly added: boolean;
  /** For a gradient node: it holds ∂`of`/∂`wrt` (both node ids). */
  readonly gradient?: { readonly of: string; readonly wrt: string };
  /** For a node defined by an equation: the equation as written and its line. */
  readonly equation?: { readonly source: string; readonly line: number };
}

/** A directed edge: `to` uses the result of `from` directly. */
export interface Edge {
  readonly from: string;
  readonly to: string;
}

/**
 * A computational graph: nodes in topological order (every node after the nodes it reads), the
 * loss, and the edges derived from the node expressions.
 *
 * @example
 * const graph = buildGraph('y = W x', { wrt: ['W'] });
 * graph.edges(); // [{ from: 'W', to: 'y' }, { from: 'x', to: 'y' }]
 */
export class Graph {
  readonly nodes: readonly GraphNode[];
  readonly loss: string | undefined;
  readonly #byId = new Map<string, GraphNode>();

  constructor(nodes: readonly GraphNode[], loss?: string) {
    for (const node of nodes) {
      if (this.#byId.has(node.id)) throw new ChainruleError('graph', `node '${node.id}' is defined twice`);
      if (node.expression) {
        for (const id of referencedIds(node.expression)) {
          if (!this.#byId.has(id)) throw new ChainruleError('internal', `node '${node.id}' reads '${id}', which does not come before it`);
        }
      }
      this.#byId.set(node.id, node);
    }
    if (loss !== undefined && !this.#byId.has(loss)) throw new ChainruleError('graph', `the loss '${loss}' is not a node of the graph`);
    this.nodes = nodes;
    this.loss = loss;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  node(id: string): GraphNode {
    const node = this.#byId.get(id);
    if (!node) throw new ChainruleError('graph', `'${id}' is not a node of the graph (nodes: ${this.nodes.map((n) => n.id).join(', ')})`);
    return node;
  }

  /** The ids whose values this node uses directly (not those read only for a shape). */
  inputsOf(id: string): string[] {
    const expression = this.node(id).expression;
    return expression ? referencedIds(expression, true, shapeOnlyArgs) : [];
  }

  /** Every edge, grouped by consumer in topological order. */
  edges(): Edge[] {
    return this.nodes.flatMap((node) => this.inputsOf(node.id).map((from) => ({ from, to: node.id })));
  }

  /** Leaves (nodes without an expression) in order. */
  leaves(): GraphNode[] {
    return this.nodes.filter((n) => !n.expression);
  }
}
