import { ChainruleError } from '@chainrule/tensor';
import { type Expr, idsOf, referencedIds } from './expr.ts';
import { canonicalName } from './parse/index.ts';

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
  /** For a part of a long expression that differentiation named (see `gradientGraph`): part `index` of node `of`, shown `L₍₁₎`. */
  readonly part?: { readonly of: string; readonly index: number };
  /** For a node defined by an equation: the equation as written and its line. */
  readonly equation?: { readonly source: string; readonly line: number };
}

/**
 * The id of the node holding ∂`of`/∂`wrt` (both node ids).
 *
 * @example
 * gradientId('L', 'W1');      // 'dL/dW1'
 * gradientId('dL/dW', 'x');   // 'd(dL/dW)/dx'
 */
export function gradientId(of: string, wrt: string): string {
  return `d${idPart(of)}/d${idPart(wrt)}`;
}
const idPart = (id: string): string => (id.includes('/') ? `(${id})` : id);

/** `∂L/∂W3`, `dL/dW3`, `\partial L / \partial W_3`: a gradient written as a name. */
const GRADIENT_NOTATION = /^\s*(?:∂|d|\\partial\b)\s*(.+?)\s*\/\s*(?:∂|d|\\partial\b)\s*(.+?)\s*$/u;

/** A directed edge: `to` uses the result of `from` directly. */
export interface Edge {
  readonly from: string;
  readonly to: string;
}

/** The graph whose nodes begin the next graph constructed: they were checked already (see {@link extendGraph}). */
let checkedPrefix: Graph | undefined;

/**
 * `base` with `added` nodes after its own, the same as `new Graph([...base.nodes, ...added], base.loss)`
 * but checking only that the added ids are new: the caller puts every added node after the nodes
 * it reads (a walk of every added expression cost differentiation more than its own work; an
 * evaluation plan still refuses a read of a node not yet computed). Internal: differentiation
 * extends a graph of any size.
 */
export function extendGraph(base: Graph, added: readonly GraphNode[]): Graph {
  checkedPrefix = base;
  try {
    return new Graph([...base.nodes, ...added], base.loss);
  } finally {
    checkedPrefix = undefined;
  }
}

/** Set by {@link orderedGraph} for the next graph constructed: its nodes are unique and in topological order already. */
let orderedNodes: Map<string, GraphNode> | boolean = false;

/**
 * `new Graph(nodes, loss)` for nodes known to be unique and in topological order, with the loss
 * among them (the graph builder makes them so): nothing is checked again. `byId`, when given, is
 * every node by id already, and becomes the graph's own. Internal.
 *
 * @example
 * orderedGraph([{ id: 'x', label: 'x', kind: 'input', added: false }], undefined).has('x'); // true
 */
export function orderedGraph(nodes: readonly GraphNode[], loss: string | undefined, byId?: Map<string, GraphNode>): Graph {
  orderedNodes = byId ?? true;
  try {
    return new Graph(nodes, loss);
  } finally {
    orderedNodes = false;
  }
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
  /** The nodes by id; an extended graph holds only its own and asks the graph it extends for the rest. */
  readonly #byId: Map<string, GraphNode>;
  readonly #base: Graph | undefined;

  constructor(nodes: readonly GraphNode[], loss?: string) {
    const base = checkedPrefix;
    checkedPrefix = undefined;
    this.nodes = nodes;
    this.loss = loss;
    const ordered = orderedNodes;
    orderedNodes = false;
    if (ordered !== false) {
      this.#byId = ordered === true ? new Map(nodes.map((node) => [node.id, node])) : ordered;
      return;
    }
    this.#byId = new Map();
    let start = 0;
    if (base !== undefined && base.nodes.every((node, i) => nodes[i] === node)) {
      this.#base = base;
      start = base.nodes.length;
    }
    for (let i = start; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (this.#find(node.id)) throw new ChainruleError('graph', `node '${node.id}' is defined twice`);
      if (node.expression && this.#base === undefined) {
        for (const id of idsOf(node.expression)) {
          if (!this.#find(id)) throw new ChainruleError('internal', `node '${node.id}' reads '${id}', which does not come before it`);
        }
      }
      this.#byId.set(node.id, node);
    }
    if (loss !== undefined && !this.#find(loss)) throw new ChainruleError('graph', `the loss '${loss}' is not a node of the graph`);
  }

  #find(id: string): GraphNode | undefined {
    return this.#byId.get(id) ?? (this.#base === undefined ? undefined : this.#base.#find(id));
  }

  has(id: string): boolean {
    return this.#find(id) !== undefined;
  }

  node(id: string): GraphNode {
    const node = this.#find(id);
    if (!node) throw new ChainruleError('graph', `'${id}' is not a node of the graph (nodes: ${this.nodes.map((n) => n.id).join(', ')})`);
    return node;
  }

  /**
   * The id of the node a name means, or undefined: the id itself, any spelling of a name in the
   * equations (`W_{3}`, `W₃`, `ŷ` → `W3`, `yhat`), or a gradient written as `∂L/∂W3`, `dL/dW3`
   * or `\partial L/\partial W_3` (the node differentiation added for it).
   *
   * @example
   * graph.resolve('W_3');    // 'W3'
   * graph.resolve('∂L/∂W3'); // 'dL/dW3' (in a graph with gradient nodes)
   * graph.resolve('nope');   // undefined
   */
  resolve(name: string): string | undefined {
    if (this.#find(name)) return name;
    const key = canonicalName(name).key;
    if (this.#find(key)) return key;
    const match = GRADIENT_NOTATION.exec(name);
    if (match) {
      const of = this.resolve(match[1]!);
      const wrt = this.resolve(match[2]!);
      if (of !== undefined && wrt !== undefined) return this.gradientNode(wrt, of)?.id;
    }
    return undefined;
  }

  /**
   * The node holding ∂`of`/∂`wrt` (names are resolved; `of` defaults to the loss), or undefined
   * when differentiation added none (no path, or not differentiated yet).
   *
   * @example
   * gradientGraph(graph, ['W1']).gradientNode('W1')?.id; // 'dL/dW1'
   */
  gradientNode(wrt: string, of: string | undefined = this.loss): GraphNode | undefined {
    if (of === undefined) return undefined;
    const wrtId = this.resolve(wrt);
    const ofId = this.resolve(of);
    if (wrtId === undefined || ofId === undefined) return undefined;
    const node = this.#find(gradientId(ofId, wrtId));
    return node?.gradient?.of === ofId && node.gradient.wrt === wrtId ? node : undefined;
  }

  /** The ids whose values this node uses directly (not those read only for a shape). */
  inputsOf(id: string): string[] {
    const expression = this.node(id).expression;
    return expression ? referencedIds(expression, true) : [];
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
