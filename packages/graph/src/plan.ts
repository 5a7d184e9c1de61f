import { ChainruleError, type Tensor } from '@chainrule/tensor';
import type { Expr, OpExpr } from './expr.ts';
import type { Graph } from './graph.ts';
import { type OpRecord, opRecord } from './ops/index.ts';

/** One kernel call of an evaluation plan: `slots[out] = forward(slots[args])`. */
export interface PlanStep {
  readonly forward: (args: readonly Tensor[]) => Tensor;
  readonly args: readonly number[];
  readonly out: number;
}

/** A node of the graph in the plan: its value's slot, the slot its expression computes (−1 for a leaf), and where its steps end. */
export interface PlannedNode {
  readonly slot: number;
  readonly from: number;
  readonly end: number;
  /** Something is differentiated for it (the loss): its value must be a number. */
  readonly differentiated: boolean;
}

/**
 * How to evaluate a graph: every distinct computation once, as a flat list of kernel calls over
 * numbered slots. Built once per graph and reused for every evaluation with new values.
 *
 * - A shared subexpression is one slot (the gradient graph is a DAG), and so is every copy of a
 *   computation the gradient rules spelt afresh (`Wᵀ` at every factor, `σ(u)` inside `σ′(u)`):
 *   the same op over the same slots is the same value.
 * - An op with `forwardTransposed` (the matrix product) reads the operand of a transpose in place.
 * - A derivative with `fromValue` (σ′, tanh′) is computed from f(u) when the plan has f(u).
 * - `release[s]` lists the slots no later step reads: the evaluation drops them after step s, so
 *   intermediate values do not stay alive (node values do: they are the result).
 */
export interface EvaluationPlan {
  readonly slotCount: number;
  readonly steps: readonly PlanStep[];
  readonly release: readonly (readonly number[] | undefined)[];
  readonly nodes: readonly PlannedNode[];
  readonly constants: readonly { readonly slot: number; readonly value: number }[];
}

const plans = new WeakMap<Graph, EvaluationPlan>();

/** The plan of a graph, built on first use. @example planOf(graph).steps.length */
export function planOf(graph: Graph): EvaluationPlan {
  let plan = plans.get(graph);
  if (!plan) plans.set(graph, (plan = compile(graph)));
  return plan;
}

const isTranspose = (e: Expr): e is OpExpr => e.kind === 'op' && e.op === 'transpose';

function compile(graph: Graph): EvaluationPlan {
  const nodeSlot = new Map<string, number>();
  const exprSlot = new Map<Expr, number>();
  const keySlot = new Map<string, number>();
  const steps: PlanStep[] = [];
  const constants: { slot: number; value: number }[] = [];
  const nodes: PlannedNode[] = [];
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
    const key = Object.is(value, -0) ? 'c-0' : `c${value}`;
    let slot = keySlot.get(key);
    if (slot === undefined) {
      keySlot.set(key, (slot = slotCount++));
      constants.push({ slot, value });
    }
    return slot;
  };
  /** The expressions whose values an op reads: a transpose's operand instead of the transpose where the op reads it in place. */
  const operands = (e: OpExpr, record: OpRecord): readonly Expr[] =>
    record.forwardTransposed && e.args.some(isTranspose) ? e.args.map((arg) => (isTranspose(arg) ? arg.args[0]! : arg)) : e.args;
  const slotOf = (e: Expr): number | undefined => (e.kind === 'ref' ? refSlot(e.id) : e.kind === 'const' ? constSlot(e.value) : exprSlot.get(e));

  const emit = (root: Expr): number => {
    const stack: [Expr, boolean][] = [[root, false]];
    while (stack.length > 0) {
      const [e, argsDone] = stack.pop()!;
      if (e.kind !== 'op') {
        slotOf(e);
        continue;
      }
      if (exprSlot.has(e)) continue;
      const record = opRecord(e.op);
      const args = operands(e, record);
      if (!argsDone) {
        stack.push([e, true]);
        for (let i = args.length - 1; i >= 0; i--) if (slotOf(args[i]!) === undefined) stack.push([args[i]!, false]);
        continue;
      }
      const argSlots = args.map((arg) => slotOf(arg)!);
      const transposed = args === e.args ? undefined : e.args.map(isTranspose);
      const key = `${e.op}${transposed ? transposed.map((t) => (t ? 'ᵀ' : '')).join(',') : ''}(${argSlots.join(',')})`;
      let slot = keySlot.get(key);
      if (slot === undefined) {
        keySlot.set(key, (slot = slotCount++));
        const valueSlot = record.derivativeFromValue && record.derivativeOf ? keySlot.get(`${record.derivativeOf}(${argSlots[0]})`) : undefined;
        if (valueSlot !== undefined) {
          const fromValue = record.derivativeFromValue!;
          steps.push({ forward: ([y]) => fromValue(y!), args: [valueSlot], out: slot });
        } else if (transposed) {
          const forwardTransposed = record.forwardTransposed!;
          steps.push({ forward: (values) => forwardTransposed(values, transposed), args: argSlots, out: slot });
        } else {
          steps.push({ forward: record.forward, args: argSlots, out: slot });
        }
      }
      exprSlot.set(e, slot);
    }
    return slotOf(root)!;
  };

  for (const node of graph.nodes) {
    const from = node.expression ? emit(node.expression) : -1;
    const slot = slotCount++;
    nodeSlot.set(node.id, slot);
    pinned.push(slot);
    if (from >= 0) pinned.push(from);
    nodes.push({ slot, from, end: steps.length, differentiated: differentiated.has(node.id) });
  }

  const lastUse = new Int32Array(slotCount).fill(-1);
  steps.forEach((step, s) => {
    for (const arg of step.args) lastUse[arg] = s;
  });
  for (const slot of pinned) lastUse[slot] = -1;
  const release: (number[] | undefined)[] = new Array(steps.length);
  lastUse.forEach((s, slot) => {
    if (s >= 0) (release[s] ??= []).push(slot);
  });
  return { slotCount, steps, release, nodes, constants };
}
