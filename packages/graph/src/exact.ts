import { type ExactTensor, Rational, type Tensor, exactTensor, exactToTensor, roundTo, scalar } from '@chainrule/tensor';
import type { Expr } from './expr.ts';
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

interface Evaluated {
  value: Tensor;
  exact: ExactTensor | undefined;
  floatOps: string[];
}

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
  const values = new Map<string, Tensor>();
  const exact = new Map<string, ExactTensor>();
  const inexact: InexactNode[] = [];
  let budget = EXACT_OPERATION_LIMIT;
  let entries = 0;
  for (const value of float.values()) entries += value.size;
  const allFloat = (): ExactEvaluation => ({
    values: float,
    exact: new Map(),
    inexact: graph.nodes.filter((n) => n.expression).map((n) => ({ id: n.id, label: n.label, reason: 'limit' as const, ops: [] })),
  });

  if (entries > EXACT_ENTRY_LIMIT) return allFloat();
  const memo = new Map<Expr, Evaluated>();
  const evaluateExpr = (e: Expr): Evaluated | 'limit' => {
    const cached = memo.get(e);
    if (cached) return cached;
    let result: Evaluated;
    switch (e.kind) {
      case 'ref':
        return { value: values.get(e.id)!, exact: exact.get(e.id), floatOps: [] };
      case 'const': {
        // A constant folded while the graph was built (½, 1/3) is the simplest fraction it stands for.
        const r = Rational.simplest(e.value);
        result = { value: scalar(e.value), exact: r ? { shape: [], data: [r] } : undefined, floatOps: [] };
        break;
      }
      case 'op': {
        const record = opRecord(e.op);
        const args: Evaluated[] = [];
        for (const arg of e.args) {
          const a = evaluateExpr(arg);
          if (a === 'limit') return 'limit';
          args.push(a);
        }
        const floatOps = [...new Set(args.flatMap((a) => a.floatOps))];
        const exactArgs = args.map((a, i) =>
          a.exact ?? (record.shapeOnly.includes(i) ? { shape: a.value.shape, data: Array.from(a.value.data, () => Rational.ZERO) } : undefined),
        );
        let exactValue: ExactTensor | undefined;
        if (record.exact && exactArgs.every((a) => a !== undefined)) {
          budget -= cost(e.op, exactArgs as ExactTensor[]);
          if (budget < 0) return 'limit';
          exactValue = record.exact(exactArgs as ExactTensor[]);
          if (exactValue && exactValue.data.some((r) => r.bits() > EXACT_BITS_LIMIT)) exactValue = undefined;
        }
        if (exactValue) {
          result = { value: exactToTensor(exactValue), exact: exactValue, floatOps };
        } else {
          // The op is where exactness ends only when its inputs were exact.
          const broken = exactArgs.every((a) => a !== undefined) ? [...floatOps, e.op] : floatOps;
          result = { value: record.forward(args.map((a) => a.value)), exact: undefined, floatOps: broken };
        }
        break;
      }
    }
    memo.set(e, result);
    return result;
  };

  for (const node of graph.nodes) {
    if (!node.expression) {
      const value = float.get(node.id)!;
      values.set(node.id, value);
      const r = exactTensor(value);
      if (r) exact.set(node.id, r);
      continue;
    }
    const evaluated = evaluateExpr(node.expression);
    if (evaluated === 'limit') return allFloat();
    let { value, exact: exactValue } = evaluated;
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
    if (exactValue) exact.set(node.id, exactValue);
    if (!evaluated.exact) inexact.push({ id: node.id, label: node.label, reason: evaluated.floatOps.length > 0 ? 'op' : 'input', ops: evaluated.floatOps });
  }
  return { values, exact, inexact };
}

function cost(op: string, args: readonly ExactTensor[]): number {
  const size = (t: ExactTensor) => Math.max(1, t.data.length);
  if (op === 'matmul') {
    const [a, b] = args as [ExactTensor, ExactTensor];
    const k = a.shape.length === 2 ? a.shape[1]! : 1;
    return (size(a) / k) * size(b);
  }
  return args.reduce((total, a) => total + size(a), 0);
}
