/**
 * Prepared problems: a problem's forward graph and gradient graph, built and validated once and
 * then evaluated with any values, kept in a small bounded cache keyed by what the graphs depend
 * on (equations, functions, roles, loss, wrt) and the names and shapes of the values.
 */
import { type BuildOptions, type ExactEvaluation, type Graph, evaluateExact, gradientGraph, graphFromEquations, parseEquations, type LeafValue } from '@chainrule/graph';
import { ChainruleError, type Tensor } from '@chainrule/tensor';
import type { Problem, ProblemResult, SolvedProblem } from './problem.ts';
import { type Value, valueShape } from './shape.ts';

/** A parameter of `wrt`, resolved in the graphs. */
export interface PreparedParameter {
  /** The node id (canonical name). */
  readonly key: string;
  /** The name as the equations write it; results are keyed by it. */
  readonly label: string;
  /** The node holding ∂L/∂parameter; undefined for the loss itself (∂L/∂L = 1). */
  readonly gradientId: string | undefined;
}

/** What the graphs of a problem are built from. */
type Structure = Pick<Problem, 'equations' | 'functions' | 'roles' | 'loss' | 'wrt'>;

/**
 * A problem's graphs, built once. The forward graph is built (and its equations checked) at
 * once; the gradient graph, the loss and the parameters on first use, so that a graph export
 * of a problem without a single loss still works.
 *
 * @example
 * const prepared = prepareProblem(problem);
 * const first = prepared.solve(problem).result;
 * const second = prepared.solve({ ...problem, values: { ...problem.values, x: [0, 1] } }).result; // no rebuild
 */
export class PreparedProblem {
  readonly graph: Graph;
  readonly wrt: readonly string[];
  readonly #arrayEquations: boolean;
  #backward: { withGradients: Graph; loss: string; parameters: readonly PreparedParameter[] } | undefined;
  /** Names of leaves as requests spell them, resolved (resolving a spelling such as `ŷ` is not free). */
  readonly #leafKeys = new Map<string, string>();

  constructor(structure: Structure) {
    this.#arrayEquations = Array.isArray(structure.equations);
    this.wrt = [...structure.wrt];
    let equations;
    try {
      equations = parseEquations(structure.equations);
    } catch (error) {
      throw this.locate(error);
    }
    const options: BuildOptions = { wrt: this.wrt };
    if (structure.functions) options.functions = structure.functions;
    if (structure.roles) options.roles = structure.roles;
    if (structure.loss !== undefined) options.loss = structure.loss;
    try {
      this.graph = graphFromEquations(equations, options);
    } catch (error) {
      throw this.locate(error);
    }
  }

  /** The graph with the gradient nodes of ∂L/∂w for every w of `wrt`; checks `wrt` and the loss first. */
  get withGradients(): Graph {
    return this.#prepareBackward().withGradients;
  }

  /** The id of the loss node. */
  get loss(): string {
    return this.#prepareBackward().loss;
  }

  /** One entry per name of `wrt`, in order. */
  get parameters(): readonly PreparedParameter[] {
    return this.#prepareBackward().parameters;
  }

  #prepareBackward() {
    if (this.#backward) return this.#backward;
    const { graph } = this;
    this.wrt.forEach((name, index) => {
      if (graph.resolve(name) === undefined) throw new ChainruleError('problem', `'${name}' is not a name in the equations`, { path: ['wrt', index] });
    });
    const loss = graph.loss;
    if (loss === undefined) {
      throw new ChainruleError('problem', 'cannot tell which node is the loss: several nodes are unused; name it with "loss"', { path: ['loss'] });
    }
    const withGradients = gradientGraph(graph, this.wrt);
    const parameters = this.wrt.map((name) => {
      const key = graph.resolve(name)!;
      return { key, label: graph.node(key).label, gradientId: withGradients.gradientNode(key, loss)?.id };
    });
    this.#backward = { withGradients, loss, parameters };
    return this.#backward;
  }

  /**
   * The node id of a leaf a value is given for; a name that is not a leaf is an error at `path`.
   *
   * @example
   * prepared.leafKey('ŷ', ['values', 'ŷ']); // 'yhat'
   */
  leafKey(name: string, path: readonly (string | number)[]): string {
    const known = this.#leafKeys.get(name);
    if (known !== undefined) return known;
    const { graph } = this;
    const key = graph.resolve(name);
    if (key === undefined) {
      const leaves = graph.leaves().map((n) => n.label).join(', ');
      throw new ChainruleError('problem', `'${name}' is not a name in the equations (the leaves are: ${leaves})`, { path });
    }
    const node = graph.node(key);
    if (node.expression) {
      throw new ChainruleError('problem', `'${name}' is computed by line ${node.equation?.line} (${node.equation?.source}); it cannot be given a value`, { path });
    }
    if (this.#leafKeys.size < LEAF_KEYS_KEPT) this.#leafKeys.set(name, key);
    return key;
  }

  /**
   * Every value of the gradient graph (forward and gradient nodes; with `gradients: false` the
   * forward graph only) for these leaf values, each computed value rounded to `round` decimals
   * when asked. Faults are located in the problem file.
   *
   * @example
   * prepared.evaluate(problem.values).get('dL/dW1');
   */
  evaluate(values: Readonly<Record<string, LeafValue>> | ReadonlyMap<string, LeafValue>, options: { round?: number; gradients?: boolean } = {}): Map<string, Tensor> {
    return this.evaluateExact(values, options).values;
  }

  /** {@link evaluate} with the exact values and the nodes computed in float64 (see `evaluateExact`). */
  evaluateExact(values: Readonly<Record<string, LeafValue>> | ReadonlyMap<string, LeafValue>, options: { round?: number; gradients?: boolean } = {}): ExactEvaluation {
    const graph = options.gradients === false ? this.graph : this.withGradients;
    try {
      return evaluateExact(graph, values, options.round === undefined ? {} : { round: options.round });
    } catch (error) {
      throw this.locate(error);
    }
  }

  /**
   * Solves the problem with its values: every value and the result (loss, computed values,
   * gradients), keyed by the names as the equations write them.
   *
   * @example
   * prepareProblem(problem).solve(problem, { round: 2 }).result.loss;
   */
  solve(problem: Problem, options: { round?: number } = {}): SolvedProblem {
    for (const name of Object.keys(problem.values)) this.leafKey(name, ['values', name]);
    const { withGradients, loss, parameters } = this.#prepareBackward();
    const { values, exact, inexact } = this.evaluateExact(problem.values, options);
    const result: ProblemResult = { loss: values.get(loss)!.data[0]!, values: {}, gradients: {} };
    for (const node of this.graph.nodes) {
      // The loss is a number, also where it is the 1-entry quadratic form (y − ŷ)ᵀ(y − ŷ).
      if (node.expression) result.values[node.label] = node.id === loss ? result.loss : values.get(node.id)!.toArray();
    }
    for (const parameter of parameters) {
      // ∂L/∂L = 1; every other name in wrt has a gradient node (gradientGraph refuses the rest).
      result.gradients[parameter.label] = parameter.gradientId === undefined ? 1 : values.get(parameter.gradientId)!.toArray();
    }
    return { problem, graph: this.graph, gradientGraph: withGradients, values, exact, inexact, result };
  }

  /** Points a line/column error at the right place of the problem file: `equations[2]` when equations is an array. */
  locate(error: unknown): unknown {
    if (!(error instanceof ChainruleError) || error.location.line === undefined) return error;
    const path = this.#arrayEquations ? ['equations', error.location.line - 1] : ['equations'];
    return new ChainruleError(error.code, error.message, { ...error.location, path }, { status: error.status, cause: error.cause });
  }
}

/** Spellings of leaf names remembered per prepared problem (requests may spell a name in many ways). */
const LEAF_KEYS_KEPT = 256;

/** Prepared problems kept; a problem file is small, its graphs are not always. */
export const PREPARED_CACHE_SIZE = 32;
const cache = new Map<string, PreparedProblem>();

/**
 * The prepared problem of a validated problem, built on first use and then taken from a bounded
 * cache (least recently used out) keyed by the equations, functions, roles, loss, `wrt` and the
 * names and shapes of the values — not their numbers. `options.wrt` prepares for other
 * parameters than the problem's.
 *
 * @example
 * const prepared = prepareProblem(problem);
 * prepareProblem(structuredClone(problem)) === prepared; // true: same equations, same shapes
 */
export function prepareProblem(problem: Problem, options: { wrt?: readonly string[] } = {}): PreparedProblem {
  const wrt = options.wrt ?? problem.wrt;
  // The key is computed on every call (a cache hit costs little more than it): one string, built directly.
  let shapes = '';
  for (const name of Object.keys(problem.values)) shapes += `${JSON.stringify(name)}:${shapeText(problem.values[name]!)},`;
  const key = `${JSON.stringify([problem.equations, problem.functions ?? null, problem.roles ?? null, problem.loss ?? null, wrt])}${shapes}`;
  let prepared = cache.get(key);
  if (prepared) {
    cache.delete(key);
  } else {
    prepared = new PreparedProblem({ equations: problem.equations, functions: problem.functions, roles: problem.roles, loss: problem.loss, wrt: [...wrt] });
    if (cache.size >= PREPARED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, prepared);
  return prepared;
}

/** `valueShape(value).join('×')` without the array: `''`, `'4'`, `'2×3'`. */
function shapeText(value: Value): string {
  if (typeof value === 'number') return '';
  if (value.length === 0 || typeof value[0] === 'number') return String(value.length);
  return valueShape(value).join('×');
}
