import { ChainruleError, type Tensor, mul, sameShape } from '@chainrule/tensor';
import type { Expr, OpExpr } from './expr.ts';
import type { Graph } from './graph.ts';
import { type OpRecord, opRecord } from './ops/index.ts';

type Forward = (args: readonly Tensor[]) => Tensor;

/**
 * How to evaluate a graph: every distinct computation once, as a flat list of kernel calls over
 * numbered slots. Built once per graph and reused for every evaluation with new values.
 *
 * - A shared subexpression is one slot (the gradient graph is a DAG), and so is every copy of a
 *   computation the gradient rules spelt afresh (`Wᵀ` at every factor, `σ(u)` inside `σ′(u)`):
 *   the same op over the same slots is the same value.
 * - An op with `forwardTransposed` (the matrix product) reads the operand of a transpose in place.
 * - A derivative with `timesFromValue` (σ′, tanh′, ReLU′) is computed from f(u) when the plan has
 *   f(u), and the gradient rule's dy ⊙ f′(u) is one pass over dy and f(u).
 * - After step s the evaluation drops the slots no later step reads (`released`), so intermediate
 *   values do not stay alive (node values do: they are the result).
 *
 * Flat arrays of numbers, not an object per step: a plan of a 100,000-layer chain stays a few MB.
 */
export interface EvaluationPlan {
  readonly slotCount: number;
  /** Step s: `slots[stepOut[s]] = stepForward[s](slots[stepArgs[argStart[s] .. argStart[s + 1]]])`. */
  readonly stepForward: readonly Forward[];
  readonly stepOut: readonly number[];
  readonly argStart: readonly number[];
  readonly stepArgs: readonly number[];
  /** After step s, the slots `released[releaseStart[s] .. releaseStart[s + 1]]` are dropped. */
  readonly releaseStart: Int32Array;
  readonly released: Int32Array;
  /** 1 for a slot a step writes (not a node's, not a constant's): its array may be recycled once it is dropped. */
  readonly stepOutput: Uint8Array;
  /** Node i (in graph order): the slot of its value, the slot its expression computes (−1 for a leaf), where its steps end. */
  readonly nodeSlot: readonly number[];
  readonly nodeFrom: readonly number[];
  readonly nodeEnd: readonly number[];
  /** 1 where something is differentiated for the node (the loss): its value must be a number. */
  readonly nodeDifferentiated: readonly number[];
  readonly constantSlots: readonly number[];
  readonly constantValues: readonly number[];
}

const plans = new WeakMap<Graph, EvaluationPlan>();

/** The plan of a graph, built on first use. @example planOf(graph).stepForward.length // kernel calls per evaluation */
export function planOf(graph: Graph): EvaluationPlan {
  let plan = plans.get(graph);
  if (!plan) plans.set(graph, (plan = compile(graph)));
  return plan;
}

/** Two slots make one number below 2⁵³ while the second is below this. */
const PAIR = 2 ** 26;

const isTranspose = (e: Expr): e is OpExpr => e.kind === 'op' && e.op === 'transpose';
// Made here, not inside compile: a closure made there would keep compile's maps alive with the plan.
const fromValueForward = (fromValue: (y: Tensor) => Tensor): Forward => ([y]) => fromValue(y!);
/** dy ⊙ f′(u) from dy and y = f(u): one pass where dy is a number or of y's shape, else the product as written. */
const timesValueForward =
  (timesValue: (dy: Tensor, y: Tensor) => Tensor, fromValue: (y: Tensor) => Tensor): Forward =>
  ([dy, y]) =>
    dy!.rank === 0 || sameShape(dy!.shape, y!.shape) ? timesValue(dy!, y!) : mul(dy!, fromValue(y!));
const transposedForward =
  (forwardTransposed: (args: readonly Tensor[], transposed: readonly boolean[]) => Tensor, transposed: readonly boolean[]): Forward =>
  (args) =>
    forwardTransposed(args, transposed);

function compile(graph: Graph): EvaluationPlan {
  const nodeSlot = new Map<string, number>();
  const exprSlot = new Map<Expr, number>();
  // What identifies a computation: the op and the slots it reads. One or two slots (nearly every op)
  // make a number, looked up per op; a string only past that.
  const byOp = new Map<string, Map<number | string, number>>();
  const computationKey = (slots: readonly number[], transposed: readonly boolean[] | undefined): number | string =>
    transposed === undefined && slots.length === 1 ? slots[0]! : transposed === undefined && slots.length === 2 && slots[0]! < PAIR && slots[1]! < PAIR ? slots[0]! * PAIR + slots[1]! : `${transposed ? transposed.map((t) => (t ? 'ᵀ' : '')).join(',') : ''}(${slots.join(',')})`;
  const computations = (op: string): Map<number | string, number> => {
    let map = byOp.get(op);
    if (!map) byOp.set(op, (map = new Map()));
    return map;
  };
  const constants = new Map<number, number>();
  let negativeZero: number | undefined;
  const forwards: Forward[] = [];
  const outs: number[] = [];
  const argStarts: number[] = [0];
  const args: number[] = [];
  const constantSlots: number[] = [];
  const constantValues: number[] = [];
  const nodeSlots: number[] = [];
  const nodeFroms: number[] = [];
  const nodeEnds: number[] = [];
  const nodeDifferentiated: number[] = [];
  const pinned: number[] = [];
  let slotCount = 0;
  const differentiated = new Set<string>();
  for (const node of graph.nodes) if (node.gradient) differentiated.add(node.gradient.of);

  const refSlot = (id: string): number => {
    const slot = nodeSlot.get(id);
    if (slot === undefined) throw new ChainruleError('internal', `'${id}' read before it was computed`);
    return slot;
  };
  const constSlot = (value: number): number => {
    let slot = Object.is(value, -0) ? negativeZero : constants.get(value);
    if (slot === undefined) {
      slot = slotCount++;
      if (Object.is(value, -0)) negativeZero = slot;
      else constants.set(value, slot);
      constantSlots.push(slot);
      constantValues.push(value);
    }
    return slot;
  };
  /** The expressions whose values an op reads: a transpose's operand instead of the transpose where the op reads it in place. */
  const operands = (e: OpExpr, record: OpRecord): readonly Expr[] =>
    record.forwardTransposed && e.args.some(isTranspose) ? e.args.map((arg) => (isTranspose(arg) ? arg.args[0]! : arg)) : e.args;
  const slotOf = (e: Expr): number | undefined => (e.kind === 'ref' ? refSlot(e.id) : e.kind === 'const' ? constSlot(e.value) : exprSlot.get(e));

  /**
   * `dy ⊙ f′(u)` (either order) where the plan has f(u): the other factor, and the op and slot of f(u).
   * The gradient rule of f writes exactly this, with the u of the forward expression.
   */
  const fusedDerivative = (e: OpExpr): { other: Expr; derivative: OpRecord; valueSlot: number } | undefined => {
    if (e.op !== 'mul') return undefined;
    for (let i = 0; i < 2; i++) {
      const d = e.args[i]!;
      if (d.kind !== 'op') continue;
      const derivative = opRecord(d.op);
      if (!derivative.derivativeTimesValue || !derivative.derivativeOf) continue;
      const u = d.args[0]!;
      const uSlot = u.kind === 'op' ? exprSlot.get(u) : slotOf(u);
      const valueSlot = uSlot === undefined ? undefined : byOp.get(derivative.derivativeOf)?.get(uSlot);
      if (valueSlot !== undefined) return { other: e.args[1 - i]!, derivative, valueSlot };
    }
    return undefined;
  };
  const placeFused = (e: OpExpr, fused: { other: Expr; derivative: OpRecord; valueSlot: number }): void => {
    const otherSlot = slotOf(fused.other)!;
    const known = computations(`mul·${fused.derivative.name}`);
    const key = otherSlot < PAIR && fused.valueSlot < PAIR ? otherSlot * PAIR + fused.valueSlot : `${otherSlot},${fused.valueSlot}`;
    let slot = known.get(key);
    if (slot === undefined) {
      known.set(key, (slot = slotCount++));
      forwards.push(timesValueForward(fused.derivative.derivativeTimesValue!, fused.derivative.derivativeFromValue!));
      args.push(otherSlot, fused.valueSlot);
      outs.push(slot);
      argStarts.push(args.length);
    }
    exprSlot.set(e, slot);
  };

  /** The slot of an op whose operands have slots: an existing computation's, or a new step's. */
  const place = (e: OpExpr, record: OpRecord, reads: readonly Expr[]): number => {
    const argSlots = reads.map((arg) => slotOf(arg)!);
    const transposed = reads === e.args ? undefined : e.args.map(isTranspose);
    const known = computations(e.op);
    const key = computationKey(argSlots, transposed);
    let slot = known.get(key);
    if (slot === undefined) {
      known.set(key, (slot = slotCount++));
      const valueSlot = record.derivativeFromValue && record.derivativeOf ? byOp.get(record.derivativeOf)?.get(argSlots[0]!) : undefined;
      if (valueSlot !== undefined) {
        forwards.push(fromValueForward(record.derivativeFromValue!));
        args.push(valueSlot);
      } else {
        forwards.push(transposed ? transposedForward(record.forwardTransposed!, transposed) : record.forward);
        for (const argSlot of argSlots) args.push(argSlot);
      }
      outs.push(slot);
      argStarts.push(args.length);
    }
    exprSlot.set(e, slot);
    return slot;
  };
  // Post-order without recursion; an op is placed as soon as its operands have slots.
  const pending: OpExpr[] = [];
  const emit = (root: Expr): number => {
    if (root.kind !== 'op') return slotOf(root)!;
    pending.push(root);
    while (pending.length > 0) {
      const e = pending[pending.length - 1]!;
      if (exprSlot.has(e)) {
        pending.pop();
        continue;
      }
      const fused = fusedDerivative(e);
      if (fused) {
        if (fused.other.kind === 'op' && !exprSlot.has(fused.other)) {
          pending.push(fused.other);
        } else {
          placeFused(e, fused);
          pending.pop();
        }
        continue;
      }
      const record = opRecord(e.op);
      const reads = operands(e, record);
      let ready = true;
      for (let i = reads.length - 1; i >= 0; i--) {
        const arg = reads[i]!;
        if (arg.kind === 'op' && !exprSlot.has(arg)) {
          pending.push(arg);
          ready = false;
        }
      }
      if (ready) {
        place(e, record, reads);
        pending.pop();
      }
    }
    return exprSlot.get(root)!;
  };

  for (const node of graph.nodes) {
    const from = node.expression ? emit(node.expression) : -1;
    const slot = slotCount++;
    nodeSlot.set(node.id, slot);
    pinned.push(slot);
    if (from >= 0) pinned.push(from);
    nodeSlots.push(slot);
    nodeFroms.push(from);
    nodeEnds.push(forwards.length);
    nodeDifferentiated.push(differentiated.has(node.id) ? 1 : 0);
  }

  const stepOutput = new Uint8Array(slotCount);
  for (const slot of outs) stepOutput[slot] = 1;
  const lastUse = new Int32Array(slotCount).fill(-1);
  for (let s = 0; s < forwards.length; s++) for (let a = argStarts[s]!; a < argStarts[s + 1]!; a++) lastUse[args[a]!] = s;
  for (const slot of pinned) lastUse[slot] = -1;
  // Counting sort of the slots by the step after which they die.
  const releaseStart = new Int32Array(forwards.length + 1);
  for (const s of lastUse) if (s >= 0) releaseStart[s + 1]!++;
  for (let s = 0; s < forwards.length; s++) releaseStart[s + 1]! += releaseStart[s]!;
  const released = new Int32Array(releaseStart[forwards.length]!);
  const fill = releaseStart.slice(0, forwards.length);
  lastUse.forEach((s, slot) => {
    if (s >= 0) released[fill[s]!++] = slot;
  });
  return {
    slotCount,
    stepForward: forwards,
    stepOut: outs,
    argStart: argStarts,
    stepArgs: args,
    releaseStart,
    released,
    stepOutput,
    nodeSlot: nodeSlots,
    nodeFrom: nodeFroms,
    nodeEnd: nodeEnds,
    nodeDifferentiated,
    constantSlots,
    constantValues,
  };
}
