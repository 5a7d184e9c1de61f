import { type NestedArray, ShapeError, Tensor, TensorValueError, recycleBuffer, roundTo, scalar, tensor } from '@chainrule/tensor';
import { ChainruleError } from '@chainrule/tensor';
import type { Expr } from './expr.ts';
import type { Graph, GraphNode } from './graph.ts';
import { opRecord } from './ops/index.ts';
import { finiteTestOf, planOf } from './plan.ts';
import { formatExpr } from './print.ts';

/** A value for a leaf: a tensor, or plain numbers (a number, a vector, an array of rows). */
export type LeafValue = Tensor | NestedArray;

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Round every computed node to this many decimals before it is used further, as a student does by hand. */
  round?: number;
}

/**
 * Evaluates every node of a graph (forward nodes and gradient nodes alike) in topological order,
 * recording the value of each.
 *
 * @example
 * const graph = buildGraph('y = W x');
 * evaluate(graph, { W: [[1, 2]], x: [3, 4] }).get('y')?.toArray(); // [11]
 * evaluate(graph, values, { round: 2 }); // every computed value rounded to 2 decimals
 */
export function evaluate(
  graph: Graph,
  leafValues: Readonly<Record<string, LeafValue>> | ReadonlyMap<string, LeafValue>,
  options: EvaluateOptions = {},
): Map<string, Tensor> {
  const given = new Map<string, Tensor>();
  const entries = leafValues instanceof Map ? [...leafValues.entries()] : Object.entries(leafValues);
  for (const [name, value] of entries) {
    const key = graph.resolve(name) ?? name;
    try {
      given.set(key, value instanceof Tensor ? value : tensor(value));
    } catch (error) {
      if (error instanceof TensorValueError) throw new ChainruleError('value', `value of '${name}': ${error.message}`, { path: ['values', name] });
      throw error;
    }
  }

  const plan = planOf(graph);
  const { stepForward, stepOut, argStart, stepArgs, releaseStart, released, stepOutput } = plan;
  // The arrays a step's result shares with an operand that stays alive (an unbroadcast to the same
  // shape returns its operand, a transposed vector is a reshape of the same array): never recycled,
  // since another slot, a node's value or a given leaf holds them too. Compared as arrays, not by
  // `.buffer`: reading the buffer of a small typed array makes V8 move it off its heap. (No kernel
  // returns a view into part of an operand's array.)
  let shared: Set<Float64Array> | undefined;
  // Filled, not `new Array(n)`: a long array made with a length alone is a slow dictionary.
  const slots: (Tensor | undefined)[] = [];
  for (let i = 0; i < plan.slotCount; i++) slots.push(undefined);
  plan.constantSlots.forEach((slot, i) => {
    slots[slot] = scalar(plan.constantValues[i]!);
  });
  const values = new Map<string, Tensor>();
  let consumers: Map<string, GraphNode[]> | undefined;
  // The array of the last large result its op's test found finite (an outer product): a node
  // whose value it is needs no pass of its own over it.
  let provenFinite: Float64Array | undefined;
  let s = 0;
  graph.nodes.forEach((node, index) => {
    const from = plan.nodeFrom[index]!;
    if (from < 0) {
      const value = given.get(node.id);
      if (!value) {
        consumers ??= missingLeafConsumers(graph, given);
        const users = consumers.get(node.id) ?? [];
        const where = users.length > 0 ? ` (used in ${users.map((user) => describeEquation(user)).join(', ')})` : '';
        throw new ChainruleError('value', `no value given for ${node.kind} '${node.label}'${where}`, { path: ['values', node.label] });
      }
      slots[plan.nodeSlot[index]!] = value;
      values.set(node.id, value);
      return;
    }
    try {
      for (const end = plan.nodeEnd[index]!; s < end; s++) {
        const a = argStart[s]!;
        const count = argStart[s + 1]! - a;
        const args = count === 1 ? [slots[stepArgs[a]!]!] : count === 2 ? [slots[stepArgs[a]!]!, slots[stepArgs[a + 1]!]!] : stepArgs.slice(a, a + count).map((slot) => slots[slot]!);
        const out = stepForward[s]!(args);
        if (out.size > FINITE_TEST_MIN) {
          const test = finiteTestOf(stepForward[s]!);
          if (test !== undefined && test(args, out)) provenFinite = out.data;
        }
        let aliases = 0;
        for (let i = 0; i < args.length; i++) if (args[i]!.data === out.data) aliases++;
        slots[stepOut[s]!] = out;
        for (let r = releaseStart[s]!; r < releaseStart[s + 1]!; r++) {
          const slot = released[r]!;
          const dead = slots[slot];
          slots[slot] = undefined;
          if (stepOutput[slot] !== 1 || dead === undefined || dead.size < RECYCLED_MIN) continue;
          // An operand the result is (an unbroadcast to the same shape): the array passes to the result's slot.
          if (dead.data === out.data) aliases--;
          // An intermediate nothing reads again: its array goes to the next kernel that needs one of its length.
          else if (!shared?.has(dead.data)) {
            // Its next owner will write other numbers into it.
            if (dead.data === provenFinite) provenFinite = undefined;
            recycleBuffer(dead.data);
          }
        }
        if (aliases > 0) (shared ??= new Set()).add(out.data);
      }
      const value = slots[from]!;
      const bad = value.data === provenFinite ? -1 : firstNonFinite(value.data);
      if (bad >= 0) {
        const where = node.equation ? `'${node.equation.source}'` : describeEquation(node, graph);
        throw new ChainruleError(
          'value',
          `${where} gives ${value.data[bad]} at entry ${bad} of ${node.label}: a log of 0, a division by 0 or an overflow`,
          node.equation ? { line: node.equation.line } : {},
        );
      }
      if (plan.nodeDifferentiated[index] === 1 && value.size !== 1) {
        throw new ChainruleError(
          'shape',
          `${node.label} has shape [${value.shape.join('×')}], but what is differentiated (the loss) must be a number: sum it (sum(…)) or take a squared norm (||…||^2)`,
          node.equation ? { line: node.equation.line } : {},
        );
      }
      const stored = options.round === undefined ? value : roundTo(value, options.round);
      slots[plan.nodeSlot[index]!] = stored;
      values.set(node.id, stored);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new ChainruleError('limit', `${describeEquation(node, graph)}: the values are too large to compute (${error.message}); make them smaller or split the problem`, node.equation ? { line: node.equation.line } : {});
      }
      if (error instanceof ShapeError) {
        const where = node.equation ? `in '${node.equation.source}'` : `in ${describeEquation(node, graph)}`;
        throw new ChainruleError('shape', `${where}: ${error.message}`, node.equation ? { line: node.equation.line } : {}, { cause: error });
      }
      throw error;
    }
  });
  return values;
}

/** Results up to this many entries are looked at entry by entry (asking their op's test would cost as much). */
const FINITE_TEST_MIN = 64;

/** Arrays up to 64 bytes live on V8's heap and cost nearly nothing to allocate: not worth recycling. */
const RECYCLED_MIN = 9;

/** The index of the first NaN or infinity, or −1: one pass without a call per entry. */
function firstNonFinite(data: Float64Array): number {
  // v · 0 is 0 for a finite v and NaN otherwise; four sums keep the adds independent.
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  let i = 0;
  for (; i + 3 < data.length; i += 4) {
    p0 += data[i]! * 0;
    p1 += data[i + 1]! * 0;
    p2 += data[i + 2]! * 0;
    p3 += data[i + 3]! * 0;
  }
  for (; i < data.length; i++) p0 += data[i]! * 0;
  if (p0 + p1 + p2 + p3 === 0) return -1;
  for (let j = 0; j < data.length; j++) if (!Number.isFinite(data[j]!)) return j;
  return -1;
}

function missingLeafConsumers(graph: Graph, given: ReadonlyMap<string, Tensor>): Map<string, GraphNode[]> {
  const consumers = new Map<string, GraphNode[]>();
  if (graph.leaves().every((leaf) => given.has(leaf.id))) return consumers;
  for (const node of graph.nodes) {
    for (const id of graph.inputsOf(node.id)) {
      if (!given.has(id)) consumers.set(id, [...(consumers.get(id) ?? []), node]);
    }
  }
  return consumers;
}

function describeEquation(node: GraphNode, graph?: Graph): string {
  if (node.equation) return `line ${node.equation.line}: ${node.equation.source}`;
  return graph && node.expression ? `${node.label} = ${formatExpr(node.expression, graph, 'written')}` : node.label;
}

/** Evaluates one expression; `memo` shares the values of subexpressions that several nodes reuse. */
export function evaluateExpr(expression: Expr, values: ReadonlyMap<string, Tensor>, memo = new Map<Expr, Tensor>()): Tensor {
  // Post-order with an explicit stack: a sum of thousands of terms is as deep as it is long.
  const stack: [Expr, boolean][] = [[expression, false]];
  while (stack.length > 0) {
    const [e, argsDone] = stack.pop()!;
    if (memo.has(e)) continue;
    switch (e.kind) {
      case 'ref': {
        const value = values.get(e.id);
        if (!value) throw new ChainruleError('internal', `'${e.id}' read before it was computed`);
        if (e === expression) return value;
        break;
      }
      case 'const':
        memo.set(e, tensor(e.value));
        break;
      case 'op':
        if (argsDone) {
          const key = leafOpKey(e);
          const known = key === undefined ? undefined : sharedOf(memo).get(key);
          const value = known ?? opRecord(e.op).forward(e.args.map((arg) => (arg.kind === 'ref' ? values.get(arg.id)! : memo.get(arg)!)));
          if (key !== undefined && known === undefined) sharedOf(memo).set(key, value);
          memo.set(e, value);
        } else {
          stack.push([e, true]);
          for (const arg of e.args) if (arg.kind === 'ref' || !memo.has(arg)) stack.push([arg, false]);
        }
        break;
    }
  }
  return memo.get(expression)!;
}

/**
 * Gradient rules build the same small expression afresh at every use (`Wᵀ` at every factor of a
 * product, `σ(u)` inside `σ'(u)`): an op applied directly to node values and numbers is computed
 * once per evaluation, found by what it is, not by which object spells it.
 */
const sharedValues = new WeakMap<Map<Expr, Tensor>, Map<string, Tensor>>();
function sharedOf(memo: Map<Expr, Tensor>): Map<string, Tensor> {
  let shared = sharedValues.get(memo);
  if (!shared) sharedValues.set(memo, (shared = new Map()));
  return shared;
}

function leafOpKey(e: Expr): string | undefined {
  if (e.kind !== 'op') return undefined;
  let key = e.op;
  for (const arg of e.args) {
    if (arg.kind === 'ref') key += ` #${arg.id.length}:${arg.id}`;
    else if (arg.kind === 'const') key += ` ${arg.value}`;
    else return undefined;
  }
  return key;
}
