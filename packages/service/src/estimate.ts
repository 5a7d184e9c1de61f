/**
 * The work of a problem, estimated from its parsed equations before anything heavy runs: the
 * shape of every intermediate value (from the shapes of the given values), the multiply-adds of
 * every operation, the entries of every intermediate and of the result, and the expression nodes.
 * Parsing is linear in the text (bounded by the body limit); nothing is built or evaluated.
 */
import { type Ast, EXACT_OPERATION_LIMIT, canonicalName, parseEquations, postOrder } from '@chainrule/graph';
import { type Problem, valueShape } from '@chainrule/problem';
import { type DecimalSize, UNIT, exactPrice, inexactSize, numberSize, productSize, quotientSize, staysFast, sumSize, valueSize } from './exact-cost.ts';

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
 * 40-factor chain of 2×2 matrices). Which of the two an operation is, is told from the decimal
 * places and magnitudes of the values (see `exact-cost.ts`): 2 µs is the price of the fast form
 * with room to spare, so that Question 3 (≈1.3 ms estimated) runs on the event loop, and 20 µs
 * that of BigInt. A few ns per multiply-add in float64, and the graph work of each expression
 * node (build, differentiate, print). The backward pass counts as two forward passes, its numbers
 * as large as the largest vector or matrix of the forward pass (a gradient is a product of the
 * residual and the factors between; the scalar loss, the square of the residual, is larger but one).
 */
export const WORK_COSTS = Object.freeze({ exactOperationNs: 2_000, bigintOperationNs: 20_000, floatOperationNs: 2, nodeNs: 10_000 });

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

/** How an expression node's exact numbers grow from its operands' (see `exact-cost.ts`). */
type Growth = 'leaf' | 'number' | 'product' | 'sum' | 'quotient' | 'same' | 'reduce' | 'mean' | 'mse' | 'inexact';

/** A node of the structure, for pricing its exact operations once the values' decimals are known. */
interface Step {
  growth: Growth;
  /** Steps of the operands. */
  args: number[];
  /** `leaf`: the name's key (a value, or an equation's target); `product`: the value called as a factor, `W (x + b)`. */
  key?: string;
  /** `number`: the literal; `quotient`: the divisor when it is a literal. */
  value?: number;
  /** `product`: the terms summed per entry (a matrix product's inner dimension; a reduction's size). */
  terms?: number;
  /** Exact operations of the forward pass at this node: multiply-adds and the entries it computes. */
  operations: number;
  /** Entries of its value. */
  entries: number;
}

/** What the cache keeps of a structure: the estimate at the fast decimal price, and the steps to price it again. */
interface Structure {
  estimate: WorkEstimate;
  steps: Step[];
  /** The step computing each equation's target, by key. */
  targets: Map<string, number>;
  /** Estimates by the decimal sizes of the values (a few per structure). */
  bySizes: Map<string, WorkEstimate>;
}
const structures = new Map<string, Structure>();
const SIZES_KEPT = 8;

/**
 * Estimates the work of a problem from its parsed equations (see {@link WorkEstimate}). Names
 * without a value or an equation count as scalars; equations that do not parse cost their text
 * (the error is found as cheaply on the calling thread as anywhere). The structure of the
 * estimate depends on the equations, functions, `wrt` and the names and shapes of the values, and
 * is kept in a small cache (least recently used out) keyed by them: parsing Question 3's equations
 * again for every request cost as much as a third of solving it. Its price depends on the decimal
 * places and magnitudes of the numbers too (BigInt arithmetic costs ten times the fast decimal
 * form): the same object is returned for the same structure and the same sizes of numbers — do
 * not modify it.
 *
 * @example
 * estimateProblem({ equations: 'y = W x', values: { W: [[1, 2]], x: [3, 4] }, wrt: ['W'] }).multiplyAdds; // 2
 */
export function estimateProblem(problem: Pick<Problem, 'equations' | 'values' | 'wrt' | 'functions'>): WorkEstimate {
  const shapes: [string, Shape][] = Object.entries(problem.values).map(([name, value]) => [name, valueShape(value)]);
  const key = JSON.stringify([problem.equations, problem.functions ?? null, problem.wrt, shapes]);
  let structure = structures.get(key);
  if (structure) {
    structures.delete(key);
  } else {
    structure = structureOf(problem, shapes);
    if (structures.size >= ESTIMATE_CACHE_SIZE) structures.delete(structures.keys().next().value!);
  }
  structures.set(key, structure);
  const { estimate } = structure;
  // Past the exact limit the problem is heavy at any price; below it the values are few.
  if (structure.steps.length === 0 || estimate.operations > EXACT_OPERATION_LIMIT) return estimate;
  const sizes = new Map<string, DecimalSize>();
  let sizesKey = '';
  for (const [name, value] of Object.entries(problem.values)) {
    const size = valueSize(value);
    sizes.set(canonicalName(name).key, size);
    sizesKey += `${size.digits.toFixed(2)}/${size.scale},`;
  }
  let priced = structure.bySizes.get(sizesKey);
  if (!priced) {
    const exact = exactWork(structure, sizes);
    priced = exact === undefined ? estimate : { ...estimate, work: estimate.work + exact - WORK_COSTS.exactOperationNs * estimate.operations };
    if (structure.bySizes.size >= SIZES_KEPT) structure.bySizes.delete(structure.bySizes.keys().next().value!);
    structure.bySizes.set(sizesKey, priced);
  }
  return priced;
}

/**
 * The price of the exact operations (forward and backward) for values of these sizes, or
 * undefined when every operation stays in the fast form (the structure's own price).
 */
function exactWork(structure: Structure, values: ReadonlyMap<string, DecimalSize>): number | undefined {
  const { steps, targets } = structure;
  const sizes: DecimalSize[] = [];
  let forward = 0;
  let operations = 0;
  let largest: DecimalSize = UNIT;
  let allFast = true;
  const allScalar = steps.every((step) => step.entries <= 1);
  const leaf = (key: string) => {
    const target = targets.get(key);
    return target === undefined ? (values.get(key) ?? UNIT) : sizes[target]!;
  };
  for (const step of steps) {
    const arg = (i: number) => (i < step.args.length ? sizes[step.args[i]!]! : UNIT);
    let size: DecimalSize;
    switch (step.growth) {
      case 'leaf':
        size = leaf(step.key!);
        break;
      case 'number':
        size = numberSize(step.value!);
        break;
      case 'product':
        size = step.key === undefined ? productSize(arg(0), step.args.length > 1 ? arg(1) : arg(0), step.terms) : productSize(leaf(step.key), arg(0), step.terms);
        break;
      case 'sum':
        size = sumSize(arg(0), arg(1));
        break;
      case 'quotient':
        size = quotientSize(arg(0), arg(1), step.value);
        break;
      case 'same':
        size = arg(0);
        for (let i = 1; i < step.args.length; i++) if (arg(i).inexact || arg(i).digits > size.digits) size = arg(i);
        break;
      case 'reduce':
        size = productSize(arg(0), UNIT, step.terms);
        break;
      case 'mean':
        size = quotientSize(productSize(arg(0), UNIT, step.terms), UNIT, step.terms);
        break;
      case 'mse': {
        const difference = sumSize(arg(0), arg(1));
        size = quotientSize(productSize(difference, difference, step.terms), UNIT, step.terms);
        break;
      }
      case 'inexact':
        size = inexactSize();
        break;
    }
    sizes.push(size);
    if (step.operations === 0 || size.inexact) continue;
    allFast &&= staysFast(size);
    forward += step.operations * exactPrice(size, WORK_COSTS.exactOperationNs, WORK_COSTS.bigintOperationNs);
    operations += step.operations;
    // The backward pass carries gradients of vectors and matrices; the loss's own (scalar) numbers are the largest but few.
    if (step.entries > 1 || allScalar) largest = { digits: Math.max(largest.digits, size.digits), scale: Math.max(largest.scale, size.scale) };
  }
  if (allFast && staysFast(largest)) return undefined;
  const backward = 2 * operations * exactPrice(largest, WORK_COSTS.exactOperationNs, WORK_COSTS.bigintOperationNs);
  return forward + backward;
}

function structureOf(problem: Pick<Problem, 'equations' | 'wrt' | 'functions'>, valueShapes: readonly [string, Shape][]): Structure {
  const shapes = new Map<string, Shape>();
  for (const [name, shape] of valueShapes) shapes.set(canonicalName(name).key, shape);
  let gradientEntries = 0;
  for (const name of problem.wrt) {
    const shape = shapes.get(canonicalName(name).key);
    gradientEntries += shape ? size(shape) : 1;
  }
  const functions = new Map<string, string>();
  for (const [name, builtin] of Object.entries(problem.functions ?? {})) functions.set(canonicalName(name).key, typeof builtin === 'string' ? builtin : '');
  const steps: Step[] = [];
  const targets = new Map<string, number>();
  const bySizes = new Map<string, WorkEstimate>();
  let equations;
  try {
    equations = parseEquations(problem.equations);
  } catch {
    const length = typeof problem.equations === 'string' ? problem.equations.length : problem.equations.reduce((n, e) => n + e.length, 0);
    const estimate = { multiplyAdds: 0, entries: 0, nodes: length, resultEntries: gradientEntries, gradientEntries, operations: 0, largest: undefined, work: WORK_COSTS.nodeNs * length };
    return { estimate, steps, targets, bySizes };
  }
  let multiplyAdds = 0;
  let entries = 0;
  let nodes = 0;
  let resultEntries = gradientEntries;
  let largest: LargestIntermediate | undefined;
  for (const equation of dependencyOrder(equations)) {
    // Post-order without recursion: a product of thousands of factors is as deep as it is long.
    const computed = new Map<Ast, Shape>();
    const stepOf = new Map<Ast, number>();
    postOrder<Ast>(equation.expression, childOf, (node) => {
      nodes++;
      const children: Ast[] = [];
      for (let i = 0, child = childOf(node, 0); child !== undefined; child = childOf(node, ++i)) children.push(child);
      const args = children.map((child) => computed.get(child) ?? SCALAR);
      const { shape, cost } = shapeOf(node, args, shapes, functions);
      multiplyAdds += cost;
      const count = size(shape);
      const isComputed = node.type !== 'name' && node.type !== 'number';
      if (isComputed) {
        entries += count;
        if (!largest || count > largest.entries) largest = { equation: equation.target.text, line: equation.pos.line, shape: [...shape], entries: count };
      }
      computed.set(node, shape);
      stepOf.set(node, steps.length);
      steps.push({ ...growthOf(node, args, shapes, functions), args: children.map((child) => stepOf.get(child)!), operations: cost + (isComputed ? count : 0), entries: count });
    });
    const shape = computed.get(equation.expression) ?? SCALAR;
    shapes.set(equation.target.key, shape);
    targets.set(equation.target.key, stepOf.get(equation.expression)!);
    resultEntries += size(shape);
  }
  const operations = 3 * (multiplyAdds + entries);
  const work = WORK_COSTS.exactOperationNs * Math.min(operations, EXACT_OPERATION_LIMIT) + WORK_COSTS.floatOperationNs * operations + WORK_COSTS.nodeNs * 3 * nodes;
  return { estimate: { multiplyAdds, entries, nodes, resultEntries, gradientEntries, operations, largest, work }, steps, targets, bySizes };
}

/** How a node's exact numbers grow (see {@link Step}): relu, sum, size, mean and mse stay exact, other functions are float64. */
function growthOf(node: Ast, args: readonly Shape[], shapes: ReadonlyMap<string, Shape>, functions: ReadonlyMap<string, string>): Pick<Step, 'growth' | 'key' | 'value' | 'terms'> {
  switch (node.type) {
    case 'number':
      return { growth: 'number', value: node.value };
    case 'name':
      return { growth: 'leaf', key: node.name.key };
    case 'binary':
      if (node.op === '+' || node.op === '-') return { growth: 'sum' };
      if (node.op === '/') return { growth: 'quotient', ...(node.right.type === 'number' ? { value: node.right.value } : {}) };
      return { growth: 'product', terms: node.op === 'matmul' ? innerDimension(args[0]!) : 1 };
    case 'negate':
    case 'transpose':
      return { growth: 'same' };
    case 'square':
      return { growth: 'product' };
    case 'squaredNorm':
      return { growth: 'product', terms: size(args[0]!) };
    case 'call': {
      const callee = node.callee.key;
      if (shapes.has(callee) && !functions.has(callee)) return { growth: 'product', key: callee, terms: innerDimension(shapes.get(callee)!) };
      const builtin = functions.get(callee) || callee;
      const terms = size(args[0] ?? SCALAR);
      if (builtin === 'relu') return { growth: 'same' };
      if (builtin === 'size') return { growth: 'number', value: terms };
      if (builtin === 'sum' || builtin === 'mean' || builtin === 'mse') return { growth: builtin === 'sum' ? 'reduce' : builtin, terms };
      return { growth: 'inexact' };
    }
  }
}

/** The dimension a product with this left operand sums over (its columns). */
const innerDimension = (shape: Shape) => asMatrix(shape)[1];

/** The equations, every one after those defining the names it reads (files list them in any order; cycles keep their order). */
function dependencyOrder<E extends { target: { key: string }; expression: Ast }>(equations: readonly E[]): E[] {
  const byTarget = new Map<string, E>();
  for (const equation of equations) byTarget.set(equation.target.key, equation);
  const reads = (equation: E): string[] => {
    const names: string[] = [];
    postOrder<Ast>(equation.expression, childOf, (node) => {
      if (node.type === 'name') names.push(node.name.key);
      if (node.type === 'call') names.push(node.callee.key);
    });
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

/** The operands of a node, one at a time (for `postOrder`). */
function childOf(node: Ast, index: number): Ast | undefined {
  switch (node.type) {
    case 'binary':
      return index === 0 ? node.left : index === 1 ? node.right : undefined;
    case 'negate':
    case 'squaredNorm':
    case 'square':
    case 'transpose':
      return index === 0 ? node.operand : undefined;
    case 'call':
      return node.args[index];
    default:
      return undefined;
  }
}

function shapeOf(node: Ast, args: readonly Shape[], shapes: ReadonlyMap<string, Shape>, functions: { has(key: string): boolean }): { shape: Shape; cost: number } {
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
