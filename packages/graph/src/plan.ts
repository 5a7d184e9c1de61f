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
  readonly releaseStart: ArrayLike<number>;
  readonly released: ArrayLike<number>;
  /** 1 for a slot a step writes (not a node's, not a constant's): its array may be recycled once it is dropped. */
  readonly stepOutput: ArrayLike<number>;
  /** Node i (in graph order): the slot of its value, the slot its expression computes (−1 for a leaf), where its steps end. */
  readonly nodeSlot: readonly number[];
  readonly nodeFrom: readonly number[];
  readonly nodeEnd: readonly number[];
  /** 1 where something is differentiated for the node (the loss): its value must be a number. */
  readonly nodeDifferentiated: readonly number[];
  readonly constantSlots: readonly number[];
  readonly constantValues: readonly number[];
}

/**
 * Where a graph keeps its plan: a property of its own. (An entry of a WeakMap keyed by a fresh
 * graph cost the collector about half a microsecond, a fresh graph being what every uncached
 * request evaluates.)
 */
const PLAN = Symbol('evaluation plan');
type Planned = Graph & { [PLAN]?: EvaluationPlan };

/** The plan of a graph, built on first use. @example planOf(graph).stepForward.length // kernel calls per evaluation */
export function planOf(graph: Graph): EvaluationPlan {
  return ((graph as Planned)[PLAN] ??= compile(graph));
}

/** Two slots make one number below 2⁵³ while the second is below this. */
const PAIR = 2 ** 26;
/** Two slots below this make one small integer (a key V8 hashes without a heap number). */
const SMALL_PAIR = 2 ** 15;
/** The key of a computation over the slots `a` and `b`: a small integer, a number, or a string. */
const pairKey = (a: number, b: number): number | string =>
  a < SMALL_PAIR && b < SMALL_PAIR ? a * SMALL_PAIR + b : a < PAIR && b < PAIR ? PAIR * PAIR + a * PAIR + b : `${a},${b}`;

const isTranspose = (e: Expr): e is OpExpr => e.kind === 'op' && e.op === 'transpose';

// Forwards made once per op (and pattern of transposed operands), shared by every plan: compiling a
// plan makes no closures and no strings.
const fromValueForwards = new Map<OpRecord, Forward>();
const timesValueForwards = new Map<OpRecord, Forward>();
const transposedForwards = new Map<OpRecord, Forward[]>();
/** The ops' finiteness tests by the forwards the plans call (see {@link OpRecord.surelyFinite}). */
const finiteTests = new Map<Forward, NonNullable<OpRecord['surelyFinite']>>();
/**
 * The test that the result of a step calling `forward` surely has no NaN and no infinity, if its op has one.
 *
 * @example
 * const test = finiteTestOf(plan.stepForward[s]);
 * if (test?.(args, out)) { … } // out is finite: no need to look at every entry
 */
export function finiteTestOf(forward: Forward): OpRecord['surelyFinite'] {
  return finiteTests.get(forward);
}

/** f′(u) from y = f(u). */
function fromValueForward(record: OpRecord): Forward {
  let forward = fromValueForwards.get(record);
  if (!forward) {
    const fromValue = record.derivativeFromValue!;
    fromValueForwards.set(record, (forward = ([y]) => fromValue(y!)));
  }
  return forward;
}
/** dy ⊙ f′(u) from dy and y = f(u): one pass where dy is a number or of y's shape, else the product as written. */
function timesValueForward(record: OpRecord): Forward {
  let forward = timesValueForwards.get(record);
  if (!forward) {
    const timesValue = record.derivativeTimesValue!;
    const fromValue = record.derivativeFromValue!;
    forward = ([dy, y]) => (dy!.rank === 0 || sameShape(dy!.shape, y!.shape) ? timesValue(dy!, y!) : mul(dy!, fromValue(y!)));
    timesValueForwards.set(record, forward);
  }
  return forward;
}
/** The op reading the operands of its transposed arguments in place; `mask` has bit i set where argument i is transposed. */
function transposedForward(record: OpRecord, mask: number): Forward {
  let byMask = transposedForwards.get(record);
  if (!byMask) transposedForwards.set(record, (byMask = []));
  let forward = byMask[mask];
  if (!forward) {
    const forwardTransposed = record.forwardTransposed!;
    const transposed = Array.from({ length: record.arity }, (_, i) => (mask & (1 << i)) !== 0);
    byMask[mask] = forward = (args) => forwardTransposed(args, transposed);
  }
  return forward;
}

/** The variant of a derivative f′'s computations that are dy ⊙ f′(u) (a derivative has no transposed variants). */
const TIMES_DERIVATIVE = 1;

/** `dy ⊙ f′(u)` where the plan has f(u): the other factor, and the op f′ and the slot of f(u). */
interface FusedDerivative {
  readonly other: Expr;
  readonly derivative: OpRecord;
  readonly valueSlot: number;
}

/** One compilation: a class, not closures in a function, so that compiling allocates little (it runs on every uncached request). */
class Compiler {
  readonly nodeSlot = new Map<string, number>();
  readonly exprSlot = new Map<Expr, number>();
  /**
   * What identifies a computation: the op, its variant (which operands it reads transposed) and the
   * slots it reads (one or two slots, nearly every op, make a number).
   */
  readonly byOp = new Map<string, (Map<number | string, number> | undefined)[]>();
  readonly constants = new Map<number, number>();
  negativeZero: number | undefined;
  readonly forwards: Forward[] = [];
  readonly outs: number[] = [];
  readonly argStarts: number[] = [0];
  readonly args: number[] = [];
  readonly constantSlots: number[] = [];
  readonly constantValues: number[] = [];
  slotCount = 0;
  readonly pending: OpExpr[] = [];

  computations(op: string, variant = 0): Map<number | string, number> {
    let variants = this.byOp.get(op);
    if (!variants) this.byOp.set(op, (variants = []));
    let map = variants[variant];
    if (!map) variants[variant] = map = new Map();
    return map;
  }

  refSlot(id: string): number {
    const slot = this.nodeSlot.get(id);
    if (slot === undefined) throw new ChainruleError('internal', `'${id}' read before it was computed`);
    return slot;
  }

  constSlot(value: number): number {
    const negativeZero = Object.is(value, -0);
    let slot = negativeZero ? this.negativeZero : this.constants.get(value);
    if (slot === undefined) {
      slot = this.slotCount++;
      if (negativeZero) this.negativeZero = slot;
      else this.constants.set(value, slot);
      this.constantSlots.push(slot);
      this.constantValues.push(value);
    }
    return slot;
  }

  slotOf(e: Expr): number | undefined {
    return e.kind === 'ref' ? this.refSlot(e.id) : e.kind === 'const' ? this.constSlot(e.value) : this.exprSlot.get(e);
  }

  step(forward: Forward, slot: number, first: number, second?: number): void {
    this.forwards.push(forward);
    this.args.push(first);
    if (second !== undefined) this.args.push(second);
    this.outs.push(slot);
    this.argStarts.push(this.args.length);
  }

  /** The gradient rule of f writes dy ⊙ f′(u) with the u of the forward expression: found by identity. */
  fusedDerivative(e: OpExpr): FusedDerivative | undefined {
    if (e.op !== 'mul') return undefined;
    for (let i = 0; i < 2; i++) {
      const d = e.args[i]!;
      if (d.kind !== 'op') continue;
      const derivative = opRecord(d.op);
      if (!derivative.derivativeTimesValue || !derivative.derivativeOf) continue;
      const u = d.args[0]!;
      const uSlot = u.kind === 'op' ? this.exprSlot.get(u) : this.slotOf(u);
      const valueSlot = uSlot === undefined ? undefined : this.byOp.get(derivative.derivativeOf)?.[0]?.get(uSlot);
      if (valueSlot !== undefined) return { other: e.args[1 - i]!, derivative, valueSlot };
    }
    return undefined;
  }

  placeFused(e: OpExpr, fused: FusedDerivative): void {
    const otherSlot = this.slotOf(fused.other)!;
    const known = this.computations(fused.derivative.name, TIMES_DERIVATIVE);
    const key = pairKey(otherSlot, fused.valueSlot);
    let slot = known.get(key);
    if (slot === undefined) {
      known.set(key, (slot = this.slotCount++));
      this.step(timesValueForward(fused.derivative), slot, otherSlot, fused.valueSlot);
    }
    this.exprSlot.set(e, slot);
  }

  /** The slot of an op whose operands have slots (`reads`: a transpose's operand where the op reads it in place). */
  place(e: OpExpr, record: OpRecord, reads: readonly Expr[]): void {
    let mask = 0;
    if (reads !== e.args) for (let i = 0; i < e.args.length; i++) if (isTranspose(e.args[i]!)) mask |= 1 << i;
    const known = this.computations(e.op, mask);
    const a0 = reads.length > 0 ? this.slotOf(reads[0]!)! : -1;
    const a1 = reads.length > 1 ? this.slotOf(reads[1]!)! : -1;
    const key = reads.length === 1 ? a0 : reads.length === 2 ? pairKey(a0, a1) : reads.map((arg) => this.slotOf(arg)!).join(',');
    let slot = known.get(key);
    if (slot === undefined) {
      known.set(key, (slot = this.slotCount++));
      const valueSlot = record.derivativeFromValue && record.derivativeOf ? this.byOp.get(record.derivativeOf)?.[0]?.get(a0) : undefined;
      if (valueSlot !== undefined) {
        this.step(fromValueForward(record), slot, valueSlot);
      } else {
        const forward = mask !== 0 ? transposedForward(record, mask) : record.forward;
        if (record.surelyFinite && !finiteTests.has(forward)) finiteTests.set(forward, record.surelyFinite);
        this.forwards.push(forward);
        for (const arg of reads) this.args.push(this.slotOf(arg)!);
        this.outs.push(slot);
        this.argStarts.push(this.args.length);
      }
    }
    this.exprSlot.set(e, slot);
  }

  /** The expressions whose values an op reads: a transpose's operand instead of the transpose where the op reads it in place. */
  operands(e: OpExpr, record: OpRecord): readonly Expr[] {
    return record.forwardTransposed && e.args.some(isTranspose) ? e.args.map((arg) => (isTranspose(arg) ? arg.args[0]! : arg)) : e.args;
  }

  /** Places an expression's ops in post-order without recursion (an op as soon as its operands have slots); its slot. */
  emit(root: Expr): number {
    if (root.kind !== 'op') return this.slotOf(root)!;
    const { pending, exprSlot } = this;
    pending.push(root);
    while (pending.length > 0) {
      const e = pending[pending.length - 1]!;
      if (exprSlot.has(e)) {
        pending.pop();
        continue;
      }
      const fused = this.fusedDerivative(e);
      if (fused) {
        if (fused.other.kind === 'op' && !exprSlot.has(fused.other)) {
          pending.push(fused.other);
        } else {
          this.placeFused(e, fused);
          pending.pop();
        }
        continue;
      }
      const record = opRecord(e.op);
      const reads = this.operands(e, record);
      let ready = true;
      for (let i = reads.length - 1; i >= 0; i--) {
        const arg = reads[i]!;
        if (arg.kind === 'op' && !exprSlot.has(arg)) {
          pending.push(arg);
          ready = false;
        }
      }
      if (ready) {
        this.place(e, record, reads);
        pending.pop();
      }
    }
    return exprSlot.get(root)!;
  }
}

function compile(graph: Graph): EvaluationPlan {
  const compiler = new Compiler();
  const nodeCount = graph.nodes.length;
  const nodeSlots: number[] = [];
  const nodeFroms: number[] = [];
  const nodeEnds: number[] = [];
  const nodeDifferentiated: number[] = [];
  const differentiated = new Set<string>();
  for (const node of graph.nodes) if (node.gradient) differentiated.add(node.gradient.of);
  for (let i = 0; i < nodeCount; i++) {
    const node = graph.nodes[i]!;
    const from = node.expression ? compiler.emit(node.expression) : -1;
    const slot = compiler.slotCount++;
    compiler.nodeSlot.set(node.id, slot);
    nodeSlots.push(slot);
    nodeFroms.push(from);
    nodeEnds.push(compiler.forwards.length);
    nodeDifferentiated.push(differentiated.has(node.id) ? 1 : 0);
  }

  const { slotCount, forwards, outs, argStarts, args } = compiler;
  const stepCount = forwards.length;
  const stepOutput = intArray(slotCount, 0);
  for (const slot of outs) stepOutput[slot] = 1;
  const lastUse = intArray(slotCount, -1);
  for (let s = 0; s < stepCount; s++) for (let a = argStarts[s]!; a < argStarts[s + 1]!; a++) lastUse[args[a]!] = s;
  // Node values stay: they are the result.
  for (let i = 0; i < nodeCount; i++) {
    lastUse[nodeSlots[i]!] = -1;
    if (nodeFroms[i]! >= 0) lastUse[nodeFroms[i]!] = -1;
  }
  // Counting sort of the slots by the step after which they die.
  const releaseStart = intArray(stepCount + 1, 0);
  for (let slot = 0; slot < slotCount; slot++) if (lastUse[slot]! >= 0) releaseStart[lastUse[slot]! + 1]!++;
  for (let s = 0; s < stepCount; s++) releaseStart[s + 1]! += releaseStart[s]!;
  const released = intArray(releaseStart[stepCount]!, 0);
  const fill = intArray(stepCount, 0);
  for (let s = 0; s < stepCount; s++) fill[s] = releaseStart[s]!;
  for (let slot = 0; slot < slotCount; slot++) if (lastUse[slot]! >= 0) released[fill[lastUse[slot]!]!++] = slot;
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
    constantSlots: compiler.constantSlots,
    constantValues: compiler.constantValues,
  };
}

/**
 * An array of `length` small integers, all `value`: typed (4 bytes an entry) for a large plan, a
 * plain array for a small one — a typed array of more than 64 bytes lives off V8's heap, and making
 * one costs about a microsecond, more than compiling a small plan's steps.
 */
function intArray(length: number, value: number): Int32Array | number[] {
  if (length >= TYPED_MIN) return new Int32Array(length).fill(value);
  const array: number[] = [];
  for (let i = 0; i < length; i++) array.push(value);
  return array;
}
const TYPED_MIN = 1024;
