import { type ExactTensor, Rational, type Tensor, exactTensor, exactToTensor, roundTo, scalar } from '@chainrule/tensor';
import type { Expr, OpExpr } from './expr.ts';
import type { Graph } from './graph.ts';
import { type EvaluateOptions, type LeafValue, evaluate } from './evaluate.ts';
import { opRecord } from './ops/index.ts';

/**
 * Exact evaluation stops (and every value is float64) past this many rational operations: one per
 * entry of a result, m·n·k for a matrix product. Hand-sized problems need a few thousand.
 */
export const EXACT_OPERATION_LIMIT = 200_000;
/** A value whose numerator or denominator grows past this many bits is computed in float64 from there on. */
export const EXACT_BITS_LIMIT = 1024;
/** A graph whose values hold more entries than this in all is evaluated in float64 only (no exact pass is tried). */
export const EXACT_ENTRY_LIMIT = 20_000;

/** A computed node that is not exact, and why: its own op is not rational, or an input of it is not exact. */
export interface InexactNode {
  /** The node id. */
  readonly id: string;
  /** The name as the equations write it (a gradient as `dL/dW1`). */
  readonly label: string;
  /** `op`: the node's own op is computed in float64 (`ops` names it); `input`: it uses a float64 value; `limit`: exact arithmetic was too expensive. */
  readonly reason: 'op' | 'input' | 'limit';
  /** The ops computed in float64 at this node (`sigmoid`). */
  readonly ops: readonly string[];
}

/** What {@link evaluateExact} returns. */
export interface ExactEvaluation {
  /** Every value as the nearest double of its exact value, or in float64 where it is not exact. */
  readonly values: Map<string, Tensor>;
  /** The exact value of every node computed exactly (leaves included), by id. */
  readonly exact: Map<string, ExactTensor>;
  /** The computed nodes that are not exact, in topological order. */
  readonly inexact: InexactNode[];
}

/** A value of the pass: exact, or float64 (`value`); the nearest doubles of an exact one are made when first needed. */
interface Evaluated {
  value: Tensor | undefined;
  exact: ExactTensor | undefined;
  floatOps: readonly string[];
}

const floatOf = (a: Evaluated): Tensor => (a.value ??= exactToTensor(a.exact!));

/**
 * Evaluates a graph like {@link evaluate} (same checks, same errors), but exactly where it can: the
 * given numbers are read as the decimals they are written as, and every op with an `exact` forward
 * in its op-table entry (+, −, ×, matrix product, transpose, ReLU, ReLU′, sums, squared norm,
 * reciprocal of a non-zero) computes over rationals. Each value is then the double nearest to its
 * exact value: 3.9, not 3.9000000000000004. σ, tanh, exp, log and softmax have no exact forward:
 * they, and what is computed from them, are float64 and listed in `inexact`. With `round`, each
 * value is rounded exactly to that many decimals (a rounded value is a decimal again, so the
 * steps after a float64 one are exact once more).
 *
 * @example
 * const { values, inexact } = evaluateExact(buildGraph('y = W x'), { W: [[0.1, 0.2]], x: [1, 1] });
 * values.get('y')?.toArray(); // [0.3]   (float64: 0.30000000000000004)
 * inexact;                    // []
 */
export function evaluateExact(
  graph: Graph,
  leafValues: Readonly<Record<string, LeafValue>> | ReadonlyMap<string, LeafValue>,
  options: EvaluateOptions = {},
): ExactEvaluation {
  const float = evaluate(graph, leafValues, options);
  let entries = 0;
  for (const value of float.values()) entries += value.size;
  if (entries > EXACT_ENTRY_LIMIT) return allFloat(graph, float);
  const pass = new ExactPass();
  const values = new Map<string, Tensor>();
  const { exact } = pass;
  const inexact: InexactNode[] = [];
  for (const node of graph.nodes) {
    if (!node.expression) {
      const value = float.get(node.id)!;
      values.set(node.id, value);
      const r = exactTensor(value);
      if (r) exact.set(node.id, r);
      pass.values.set(node.id, value);
      continue;
    }
    const evaluated = pass.evaluate(node.expression);
    if (evaluated === LIMIT) return allFloat(graph, float);
    let exactValue = evaluated.exact;
    let value = floatOf(evaluated);
    if (options.round !== undefined) {
      if (exactValue) {
        const decimals = options.round;
        exactValue = { shape: exactValue.shape, data: exactValue.data.map((r) => r.round(decimals)) };
        value = exactToTensor(exactValue);
      } else {
        value = roundTo(value, options.round);
        exactValue = exactTensor(value);
      }
    }
    values.set(node.id, value);
    pass.values.set(node.id, value);
    if (exactValue) exact.set(node.id, exactValue);
    if (!evaluated.exact) inexact.push({ id: node.id, label: node.label, reason: evaluated.floatOps.length > 0 ? 'op' : 'input', ops: evaluated.floatOps });
  }
  return { values, exact, inexact };
}

const LIMIT = 'limit';
const NO_OPS: readonly string[] = [];

/** Every value float64, every computed node listed as past the limits. */
function allFloat(graph: Graph, float: Map<string, Tensor>): ExactEvaluation {
  return {
    values: float,
    exact: new Map(),
    inexact: graph.nodes.filter((n) => n.expression).map((n) => ({ id: n.id, label: n.label, reason: 'limit' as const, ops: [] })),
  };
}

/** One exact pass over a graph's expressions: the values so far (rounded where asked), memoised per expression. */
class ExactPass {
  readonly values = new Map<string, Tensor>();
  readonly exact = new Map<string, ExactTensor>();
  private readonly memo = new Map<Expr, Evaluated>();
  private budget = EXACT_OPERATION_LIMIT;

  /** The value of `e`: post-order with an explicit stack, since a product of thousands of factors is as deep as it is long. */
  evaluate(e: Expr): Evaluated | typeof LIMIT {
    if (e.kind !== 'op') return this.leaf(e);
    const stack: [OpExpr, boolean][] = [[e, false]];
    while (stack.length > 0) {
      const [next, argsDone] = stack.pop()!;
      if (this.memo.has(next)) continue;
      if (argsDone) {
        const result = this.evaluateOp(next);
        if (result === LIMIT) return LIMIT;
        this.memo.set(next, result);
        continue;
      }
      stack.push([next, true]);
      for (const arg of next.args) if (arg.kind === 'op' && !this.memo.has(arg)) stack.push([arg, false]);
    }
    return this.memo.get(e)!;
  }

  private leaf(e: Exclude<Expr, OpExpr>): Evaluated {
    if (e.kind === 'ref') return { value: this.values.get(e.id)!, exact: this.exact.get(e.id), floatOps: NO_OPS };
    let known = this.memo.get(e);
    if (!known) this.memo.set(e, (known = constantOf(e.value)));
    return known;
  }

  /** An op whose operands are evaluated already. */
  private evaluateOp(e: OpExpr): Evaluated | typeof LIMIT {
    const record = opRecord(e.op);
    const args: Evaluated[] = [];
    const exactArgs: ExactTensor[] = [];
    let allExact = true;
    let floatOps = NO_OPS;
    for (let i = 0; i < e.args.length; i++) {
      const arg = e.args[i]!;
      const a = arg.kind === 'op' ? this.memo.get(arg)! : this.leaf(arg);
      args.push(a);
      if (a.floatOps.length > 0) floatOps = floatOps === NO_OPS ? a.floatOps : [...new Set([...floatOps, ...a.floatOps])];
      const exactArg = a.exact ?? (record.shapeOnly.includes(i) ? zerosLike(floatOf(a)) : undefined);
      if (exactArg === undefined) allExact = false;
      else exactArgs.push(exactArg);
    }
    let exactValue: ExactTensor | undefined;
    if (record.exact && allExact) {
      this.budget -= cost(e.op, exactArgs);
      if (this.budget < 0) return LIMIT;
      exactValue = record.exact(exactArgs);
      if (exactValue && tooLarge(exactValue)) exactValue = undefined;
    }
    if (exactValue) return { value: undefined, exact: exactValue, floatOps };
    const values: Tensor[] = [];
    for (const a of args) values.push(floatOf(a));
    // The op is where exactness ends only when its inputs were exact.
    return { value: record.forward(values), exact: undefined, floatOps: allExact ? [...floatOps, e.op] : floatOps };
  }
}

/** A constant folded while the graph was built (½, 1/3) is the simplest fraction it stands for. */
function constantOf(value: number): Evaluated {
  const r = Rational.simplest(value);
  return { value: scalar(value), exact: r ? { shape: [], data: [r] } : undefined, floatOps: NO_OPS };
}

function zerosLike(t: Tensor): ExactTensor {
  return { shape: t.shape, data: new Array<Rational>(t.size).fill(Rational.ZERO) };
}

function tooLarge(t: ExactTensor): boolean {
  for (const r of t.data) if (r.bitsExceed(EXACT_BITS_LIMIT)) return true;
  return false;
}

function cost(op: string, args: readonly ExactTensor[]): number {
  if (op === 'matmul') {
    const [a, b] = args as [ExactTensor, ExactTensor];
    const k = a.shape.length === 2 ? a.shape[1]! : 1;
    return (Math.max(1, a.data.length) / k) * Math.max(1, b.data.length);
  }
  let total = 0;
  for (const a of args) total += Math.max(1, a.data.length);
  return total;
}
