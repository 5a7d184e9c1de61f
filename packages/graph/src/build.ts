import { ChainruleError } from '@chainrule/tensor';
import { type Binding, EXPRESSION_DEPTH_LIMIT, ExpressionBuilder, type Slot, depthError, nestsTooDeep, slotOf } from './build-expr.ts';
import { compareIds } from './compare-ids.ts';
import type { Expr } from './expr.ts';
import { closestFunctionName, functionOp } from './function-names.ts';
import { FUNCTIONS } from './ops/index.ts';
import { type GraphNode, orderedGraph } from './graph.ts';
import type { Graph } from './graph.ts';
import type { Equation } from './parse/ast.ts';
import { canonicalName, parseEquations } from './parse/index.ts';

export { EXPRESSION_DEPTH_LIMIT };
export { compareIds };

/** The role of a leaf. */
export type LeafRole = 'input' | 'parameter' | 'target';

/** Options of {@link buildGraph}. */
export interface BuildOptions {
  /** Bindings of function names, e.g. `{ f: 'relu' }` (a line `f = relu` in the equations does the same). */
  functions?: Readonly<Record<string, string>>;
  /** The names to differentiate for: these leaves are parameters. */
  wrt?: readonly string[];
  /** Explicit roles of leaves, overriding the default rule. */
  roles?: Readonly<Record<string, LeafRole>>;
  /** The loss node; by default the only node nothing else uses (or the one named `L`/`loss` among several). */
  loss?: string;
}

/**
 * Parses equations (ASCII, Unicode or LaTeX) and builds their computational graph.
 *
 * The role of a leaf follows one rule: listed in `wrt` → parameter; a name with a hat (`ŷ`, `yhat`)
 * → target; any other leaf → input. `roles` overrides it per name.
 *
 * @example
 * const graph = buildGraph(['L = 1/2 ||y - ŷ||^2', 'y = W x'], { wrt: ['W'] });
 * graph.node('W').kind; // 'parameter'
 * graph.loss;           // 'L'
 */
export function buildGraph(source: string | readonly string[], options: BuildOptions = {}): Graph {
  return graphFromEquations(parseEquations(source), options);
}

/** Builds the graph of already parsed equations. @example graphFromEquations(parseEquations('y = W x')) */
export function graphFromEquations(parsed: readonly Equation[], options: BuildOptions = {}): Graph {
  const slots = new Map<string, Slot>();
  /** The names bound to functions: no nodes. */
  const bound: Slot[] = [];
  const bindings = options.functions;
  if (bindings !== undefined) {
    for (const alias of Object.keys(bindings)) {
      const fn = bindings[alias]!;
      const op = functionOp(fn);
      if (op === undefined) {
        throw new ChainruleError('graph', `function '${alias}' is bound to '${fn}', which is not one of ${Object.keys(FUNCTIONS).join(', ')}${closestFunctionName(fn) ? ` (did you mean ${closestFunctionName(fn)}?)` : ''}`);
      }
      const slot = slotOf(slots, canonicalName(alias).key);
      slot.binding = { op, alias } satisfies Binding;
      bound.push(slot);
    }
  }

  const targets: Slot[] = [];
  for (const equation of parsed) {
    const slot = slotOf(slots, equation.target.key);
    slot.defined = true;
    targets.push(slot);
  }
  const equations: Equation[] = [];
  const defines: Slot[] = [];
  for (let p = 0; p < parsed.length; p++) {
    const equation = parsed[p]!;
    const rhs = equation.expression;
    const op = rhs.type === 'name' && slots.get(rhs.name.key)?.defined !== true ? functionOp(rhs.name) : undefined;
    if (op !== undefined) {
      targets[p]!.binding = { op, alias: equation.target.text };
      bound.push(targets[p]!);
    } else {
      equations.push(equation);
      defines.push(targets[p]!);
    }
  }

  for (let i = 0; i < equations.length; i++) {
    const equation = equations[i]!;
    const slot = defines[i]!;
    if (slot.equation >= 0) {
      const first = equations[slot.equation]!;
      throw new ChainruleError('graph', `'${equation.target.text}' is defined twice: on line ${first.pos.line} (${first.source}) and here (${equation.source})`, equation.pos);
    }
    if (slot.binding !== undefined) {
      throw new ChainruleError('graph', `'${equation.target.text}' is a function and cannot also be defined by an equation`, equation.pos);
    }
    if (functionOp(equation.target) !== undefined) {
      throw new ChainruleError(
        'graph',
        `'${equation.target.text}' is the name of a function (${equation.target.text}(u)) and cannot also name a variable: call the variable something else`,
        equation.pos,
      );
    }
    slot.equation = i;
  }

  // The expressions, what each equation reads (builder.reads from readStart[i]) and, among those,
  // the equations it depends on (dependencies.list from dependencies.start[i]): flat lists.
  const builder = new ExpressionBuilder(slots, equations, bound.length > 0);
  const reads = builder.reads;
  const expressions: Expr[] = [];
  const readStart = new Int32Array(equations.length + 1);
  const dependencies: Dependencies = { start: new Int32Array(equations.length + 1), list: [] };
  const consumed = new Uint8Array(equations.length);
  for (let i = 0; i < equations.length; i++) {
    try {
      expressions.push(builder.build(equations[i]!, i));
    } catch (error) {
      // The walk checked the depth of the equations before this one: a later one nested too deep is the first fault.
      for (let j = i; j < equations.length; j++) if (nestsTooDeep(equations[j]!.expression)) throw depthError(equations[j]!, j);
      throw error;
    }
    for (let k = readStart[i]!; k < reads.length; k++) {
      const dep = reads[k]!.equation;
      if (dep >= 0) {
        consumed[dep] = 1;
        dependencies.list.push(dep);
      }
    }
    readStart[i + 1] = reads.length;
    dependencies.start[i + 1] = dependencies.list.length;
  }
  const order = computationOrder(equations, dependencies, consumed);

  const loss = chooseLoss(options.loss, equations, slots, consumed);
  for (const name of options.wrt ?? []) {
    const slot = slots.get(canonicalName(name).key);
    if (slot !== undefined) slot.parameter = true;
  }
  const roles = options.roles;
  if (roles !== undefined) {
    for (const name of Object.keys(roles)) {
      const slot = slots.get(canonicalName(name).key);
      if (slot === undefined) continue;
      if (slot.equation >= 0) throw new ChainruleError('graph', `a role is given for '${equations[slot.equation]!.target.text}', but it is computed by an equation, not a leaf`);
      slot.role = roles[name];
    }
  }

  const nodes: GraphNode[] = [];
  for (const i of order) {
    for (let k = readStart[i]!; k < readStart[i + 1]!; k++) {
      const slot = reads[k]!;
      if (slot.equation >= 0 || slot.placed) continue;
      slot.placed = true;
      const key = slot.key;
      nodes.push({ id: key, label: slot.label ?? key, kind: slot.role ?? (slot.parameter ? 'parameter' : key.endsWith('hat') ? 'target' : 'input'), added: false });
    }
  }
  sortLeaves(nodes);
  for (const i of order) {
    const equation = equations[i]!;
    const key = equation.target.key;
    nodes.push({
      id: key,
      label: equation.target.text,
      kind: key === loss ? 'loss' : 'intermediate',
      expression: expressions[i]!,
      added: false,
      equation: { source: equation.source, line: equation.pos.line },
    });
  }
  // Unique ids in topological order, by construction: the graph need not check them again. Its
  // map of nodes by id is the map of slots, each entry's value replaced (cheaper than a new map):
  // a key that is no node (a function's name) is dropped.
  const byId = slots as Map<string, Slot | GraphNode>;
  for (const node of nodes) byId.set(node.id, node);
  for (const slot of bound) byId.delete(slot.key);
  return orderedGraph(nodes, loss, byId as Map<string, GraphNode>);
}

/** What each equation depends on, as one flat list: equation i's dependencies are `list[start[i]]` to `list[start[i + 1] - 1]`. */
interface Dependencies {
  readonly start: Int32Array;
  readonly list: number[];
}

const KIND_ORDER: Readonly<Record<string, number>> = { input: 0, parameter: 1, target: 2 };
function byKindThenName(a: GraphNode, b: GraphNode): number {
  return KIND_ORDER[a.kind]! - KIND_ORDER[b.kind]! || compareIds(a.id, b.id);
}
/** Leaves by kind, then name: a few (most problems) by insertion, which is cheaper than a call of sort; stable either way. */
function sortLeaves(leaves: GraphNode[]): void {
  if (leaves.length > 16) {
    leaves.sort(byKindThenName);
    return;
  }
  for (let i = 1; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    let j = i;
    for (; j > 0 && byKindThenName(leaves[j - 1]!, leaf) > 0; j--) leaves[j] = leaves[j - 1]!;
    leaves[j] = leaf;
  }
}

/**
 * The order a student computes the equations in: depth-first from each unused node (the loss),
 * every value right after the values it needs, operands left to right. Iterative, so chains of
 * any length work. A dependency met again while it is still being entered closes a cycle.
 */
function computationOrder(equations: readonly Equation[], dependencies: Dependencies, consumed: Uint8Array): number[] {
  // 1: entered, 2: placed in the order. Roots: the unused equations, then every equation, in order.
  const { start, list } = dependencies;
  const state = new Uint8Array(equations.length);
  const order: number[] = [];
  const stack: number[] = [];
  /** Where each equation on the stack is in its dependencies (an index into `list`). */
  const next: number[] = [];
  for (let r = 0; r < 2 * equations.length; r++) {
    const root = r < equations.length ? r : r - equations.length;
    if (state[root] !== 0 || (r < equations.length && consumed[root] !== 0)) continue;
    state[root] = 1;
    stack.push(root);
    next.push(start[root]!);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const at = next[top]!++;
      if (at >= start[stack[top]! + 1]!) {
        state[stack[top]!] = 2;
        order.push(stack.pop()!);
        next.pop();
        continue;
      }
      const dep = list[at]!;
      if (state[dep] === 0) {
        state[dep] = 1;
        stack.push(dep);
        next.push(start[dep]!);
      } else if (state[dep] === 1) {
        throwCycle(equations, dependencies);
      }
    }
  }
  return order;
}

function chooseLoss(requested: string | undefined, equations: readonly Equation[], slots: ReadonlyMap<string, Slot>, consumed: Uint8Array): string | undefined {
  if (requested !== undefined) {
    const key = canonicalName(requested).key;
    if (!((slots.get(key)?.equation ?? -1) >= 0)) throw new ChainruleError('graph', `the loss '${requested}' is not defined by any equation`);
    return key;
  }
  const sinks: string[] = [];
  for (let i = 0; i < equations.length; i++) if (consumed[i] === 0) sinks.push(equations[i]!.target.key);
  if (sinks.length === 1) return sinks[0];
  return sinks.find((key) => key === 'L' || key.toLowerCase() === 'loss');
}

/** Names the equations on a cycle (and those that wait on one): what Kahn's algorithm leaves over. */
function throwCycle(equations: readonly Equation[], flat: Dependencies): never {
  const dependencies = equations.map((_, i) => flat.list.slice(flat.start[i], flat.start[i + 1]));
  const pending = dependencies.map((deps) => new Set(deps).size);
  const dependants: number[][] = equations.map(() => []);
  dependencies.forEach((deps, i) => {
    for (const dep of new Set(deps)) dependants[dep]!.push(i);
  });
  const ready: number[] = [];
  for (let i = 0; i < equations.length; i++) if (pending[i] === 0) ready.push(i);
  for (let r = 0; r < ready.length; r++) {
    for (const next of dependants[ready[r]!]!) if (--pending[next]! === 0) ready.push(next);
  }
  const onCycle = equations.filter((_, i) => pending[i]! > 0);
  throw new ChainruleError(
    'graph',
    `the equations form a cycle: ${onCycle.map((e) => `'${e.source}' (line ${e.pos.line})`).join(', ')} depend on each other`,
    onCycle[0]!.pos,
  );
}
