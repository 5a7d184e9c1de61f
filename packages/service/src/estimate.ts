/**
 * The work of a problem, estimated from its parsed equations before anything heavy runs: the
 * shape of every intermediate value (from the shapes of the given values), the multiply-adds of
 * every operation, the entries of every intermediate and of the result, and the expression nodes.
 * Parsing is linear in the text (bounded by the body limit); nothing is built or evaluated.
 */
import { type Ast, EXACT_OPERATION_LIMIT, canonicalName, parseEquations } from '@chainrule/graph';
import { type Problem, valueShape } from '@chainrule/problem';

/** The largest intermediate value of a problem: the equation it is computed in and its shape. */
export interface LargestIntermediate {
  /** The target of the equation (as written) whose expression computes it. */
  equation: string;
  line: number;
  shape: number[];
  entries: number;
}

/** What a problem costs, estimated from its parsed equations and the shapes of its values. */
export interface WorkEstimate {
  /** Multiply-adds of the forward pass (a matrix product m×k · k×n costs m·k·n). */
  multiplyAdds: number;
  /** Entries of every intermediate value of the forward pass. */
  entries: number;
  /** Expression nodes of the equations (names, numbers, operations). */
  nodes: number;
  /** Entries of the values a full backprop answer carries: every computed value and every gradient. */
  resultEntries: number;
  /** Entries of the gradients alone (the parameters' shapes). */
  gradientEntries: number;
  /** Operations of a forward and backward pass: 3 · (multiply-adds + entries), the backward pass counted as two forward passes. */
  operations: number;
  /** The largest intermediate, or undefined when the equations do not parse or compute nothing. */
  largest: LargestIntermediate | undefined;
  /** Estimated time of a forward and backward pass, in nanoseconds on the reference machine (see {@link WORK_COSTS}). */
  work: number;
}

/**
 * What the estimate counts an operation as, in nanoseconds on the 2-core reference machine. An
 * exact operation (the answer key's rationals, up to `EXACT_OPERATION_LIMIT` operations) costs
 * ≈0.1–0.4 µs while its numbers stay decimals that fit a float64 integer (Question 3: 309
 * operations, 24 nodes, ≈340 µs CPU to solve) and 2–20 µs once they outgrow it (BigInt: a
 * 40-factor chain of 2×2 matrices); 2 µs is the price of the common case with room to spare, so
 * that Question 3 (≈1.3 ms estimated) runs on the event loop. A few ns per multiply-add in float64,
 * and the graph work of each expression node (build, differentiate, print). The backward pass
 * counts as two forward passes.
 */
export const WORK_COSTS = Object.freeze({ exactOperationNs: 2_000, floatOperationNs: 2, nodeNs: 10_000 });

/**
 * A lower bound of the expression nodes of a problem from its text alone (every name and number
 * is a node), linear and far cheaper than parsing: what decides, before parsing on the calling
 * thread, that a problem's equations are too long for it.
 *
 * @example
 * countTerms({ equations: 'y = W x' }); // 3
 */
export function countTerms(problem: Pick<Problem, 'equations'>): number {
  const texts = typeof problem.equations === 'string' ? [problem.equations] : problem.equations;
  let count = 0;
  for (const text of texts) for (const _ of text.matchAll(/[\p{L}\p{N}_.]+/gu)) count++;
  return count;
}

type Shape = readonly number[];
const SCALAR: Shape = [];
const size = (shape: Shape) => shape.reduce((p, e) => p * e, 1);
/** A vector is a column, as the sheet writes it. */
const asMatrix = (shape: Shape): [number, number] => (shape.length === 0 ? [1, 1] : shape.length === 1 ? [shape[0]!, 1] : [shape[0]!, shape[1]!]);

function broadcast(a: Shape, b: Shape): Shape {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const [ar, ac] = asMatrix(a);
  const [br, bc] = asMatrix(b);
  const out: [number, number] = [Math.max(ar, br), Math.max(ac, bc)];
  return a.length === 1 && b.length === 1 ? [out[0]] : out;
}

function product(a: Shape, b: Shape): { shape: Shape; multiplyAdds: number } {
  if (a.length === 0 || b.length === 0) return { shape: a.length === 0 ? b : a, multiplyAdds: Math.max(size(a), size(b)) };
  const [m, k] = asMatrix(a);
  const [, n] = asMatrix(b);
  return { shape: b.length === 1 && n === 1 ? [m] : [m, n], multiplyAdds: m * k * n };
}

/** Estimates kept: a course's problems repeat (the same equations and shapes with other numbers). */
export const ESTIMATE_CACHE_SIZE = 64;
const estimates = new Map<string, WorkEstimate>();

/**
 * Estimates the work of a problem from its parsed equations (see {@link WorkEstimate}). Names
 * without a value or an equation count as scalars; equations that do not parse cost their text
 * (the error is found as cheaply on the calling thread as anywhere). The estimate depends on the
 * equations, functions, `wrt` and the names and shapes of the values — not their numbers — and is
 * kept in a small cache (least recently used out) keyed by them: parsing Question 3's equations
 * again for every request cost as much as a third of solving it. The same object is returned for
 * the same key: do not modify it.
 *
 * @example
 * estimateProblem({ equations: 'y = W x', values: { W: [[1, 2]], x: [3, 4] }, wrt: ['W'] }).multiplyAdds; // 2
 */
export function estimateProblem(problem: Pick<Problem, 'equations' | 'values' | 'wrt' | 'functions'>): WorkEstimate {
  const shapes: [string, Shape][] = Object.entries(problem.values).map(([name, value]) => [name, valueShape(value)]);
  const key = JSON.stringify([problem.equations, problem.functions ?? null, problem.wrt, shapes]);
  let estimate = estimates.get(key);
  if (estimate) {
    estimates.delete(key);
  } else {
    estimate = estimateFromShapes(problem, shapes);
    if (estimates.size >= ESTIMATE_CACHE_SIZE) estimates.delete(estimates.keys().next().value!);
  }
  estimates.set(key, estimate);
  return estimate;
}

function estimateFromShapes(problem: Pick<Problem, 'equations' | 'wrt' | 'functions'>, valueShapes: readonly [string, Shape][]): WorkEstimate {
  const shapes = new Map<string, Shape>();
  for (const [name, shape] of valueShapes) shapes.set(canonicalName(name).key, shape);
  let gradientEntries = 0;
  for (const name of problem.wrt) {
    const shape = shapes.get(canonicalName(name).key);
    gradientEntries += shape ? size(shape) : 1;
  }
  const functions = new Set(Object.keys(problem.functions ?? {}).map((name) => canonicalName(name).key));
  let equations;
  try {
    equations = parseEquations(problem.equations);
  } catch {
    const length = typeof problem.equations === 'string' ? problem.equations.length : problem.equations.reduce((n, e) => n + e.length, 0);
    return { multiplyAdds: 0, entries: 0, nodes: length, resultEntries: gradientEntries, gradientEntries, operations: 0, largest: undefined, work: WORK_COSTS.nodeNs * length };
  }
  let multiplyAdds = 0;
  let entries = 0;
  let nodes = 0;
  let resultEntries = gradientEntries;
  let largest: LargestIntermediate | undefined;
  for (const equation of dependencyOrder(equations)) {
    // Post-order without recursion: a product of thousands of factors is as deep as it is long.
    const computed = new Map<Ast, Shape>();
    const stack: { node: Ast; visited: boolean }[] = [{ node: equation.expression, visited: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      const children = childrenOf(top.node);
      if (!top.visited) {
        stack.push({ node: top.node, visited: true });
        for (const child of children) stack.push({ node: child, visited: false });
        continue;
      }
      nodes++;
      const args = children.map((child) => computed.get(child) ?? SCALAR);
      const { shape, cost } = shapeOf(top.node, args, shapes, functions);
      multiplyAdds += cost;
      const count = size(shape);
      if (top.node.type !== 'name' && top.node.type !== 'number') {
        entries += count;
        if (!largest || count > largest.entries) largest = { equation: equation.target.text, line: equation.pos.line, shape: [...shape], entries: count };
      }
      computed.set(top.node, shape);
    }
    const shape = computed.get(equation.expression) ?? SCALAR;
    shapes.set(equation.target.key, shape);
    resultEntries += size(shape);
  }
  const operations = 3 * (multiplyAdds + entries);
  const work = WORK_COSTS.exactOperationNs * Math.min(operations, EXACT_OPERATION_LIMIT) + WORK_COSTS.floatOperationNs * operations + WORK_COSTS.nodeNs * 3 * nodes;
  return { multiplyAdds, entries, nodes, resultEntries, gradientEntries, operations, largest, work };
}

/** The equations, every one after those defining the names it reads (files list them in any order; cycles keep their order). */
function dependencyOrder<E extends { target: { key: string }; expression: Ast }>(equations: readonly E[]): E[] {
  const byTarget = new Map<string, E>();
  for (const equation of equations) byTarget.set(equation.target.key, equation);
  const reads = (equation: E): string[] => {
    const names: string[] = [];
    const stack: Ast[] = [equation.expression];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === 'name') names.push(node.name.key);
      if (node.type === 'call') names.push(node.callee.key);
      stack.push(...childrenOf(node));
    }
    return names.filter((name) => byTarget.has(name));
  };
  const order: E[] = [];
  const state = new Map<E, 'open' | 'done'>();
  for (const root of equations) {
    if (state.has(root)) continue;
    const stack: { equation: E; pending: string[] }[] = [{ equation: root, pending: reads(root) }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.pending.pop();
      if (next === undefined) {
        stack.pop();
        state.set(top.equation, 'done');
        order.push(top.equation);
        continue;
      }
      const dependency = byTarget.get(next)!;
      if (state.has(dependency)) continue;
      state.set(dependency, 'open');
      stack.push({ equation: dependency, pending: reads(dependency) });
    }
  }
  return order;
}

function childrenOf(node: Ast): readonly Ast[] {
  switch (node.type) {
    case 'binary':
      return [node.left, node.right];
    case 'negate':
    case 'squaredNorm':
    case 'square':
    case 'transpose':
      return [node.operand];
    case 'call':
      return node.args;
    default:
      return [];
  }
}

function shapeOf(node: Ast, args: readonly Shape[], shapes: ReadonlyMap<string, Shape>, functions: ReadonlySet<string>): { shape: Shape; cost: number } {
  switch (node.type) {
    case 'number':
      return { shape: SCALAR, cost: 0 };
    case 'name':
      return { shape: shapes.get(node.name.key) ?? SCALAR, cost: 0 };
    case 'binary': {
      if (node.op === 'matmul') return (({ shape, multiplyAdds }) => ({ shape, cost: multiplyAdds }))(product(args[0]!, args[1]!));
      const shape = broadcast(args[0]!, args[1]!);
      return { shape, cost: size(shape) };
    }
    case 'negate':
    case 'square':
      return { shape: args[0]!, cost: size(args[0]!) };
    case 'squaredNorm':
      return { shape: SCALAR, cost: size(args[0]!) };
    case 'transpose':
      return { shape: args[0]!.length === 1 ? [1, args[0]![0]!] : [...args[0]!].reverse(), cost: size(args[0]!) };
    case 'call': {
      const own = shapes.get(node.callee.key);
      const arg = args.reduce<Shape>((a, b) => broadcast(a, b), SCALAR);
      // `W (x + b)`: a product when the callee is a value or a computed name, not a function.
      if (own && !functions.has(node.callee.key)) return (({ shape, multiplyAdds }) => ({ shape, cost: multiplyAdds }))(product(own, arg));
      const reduces = node.callee.key === 'sum' || node.callee.key === 'size';
      return { shape: reduces ? SCALAR : arg, cost: 10 * size(arg) };
    }
  }
}
