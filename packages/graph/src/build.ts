import { ChainruleError } from '@chainrule/tensor';
import { type Expr, constant, idsOf, ref } from './expr.ts';
import { closestFunctionName, functionOp } from './function-names.ts';
import { FUNCTIONS, type OpName, expandOp, opArity } from './ops/index.ts';
import { type GraphNode, Graph, type NodeKind } from './graph.ts';
import type { Ast, Equation, Position } from './parse/ast.ts';
import { canonicalName, parseEquations } from './parse/index.ts';

/**
 * How deeply one equation's expression may nest, counted in the operators on the longest path
 * from the top (a sum of n terms or a product of n factors is n − 1 deep). Building, differentiating,
 * evaluating and printing need no stack for it; the limit keeps what other packages do with one
 * expression bounded. A deeper one is refused before any work, naming the equation, its line and column.
 */
export const EXPRESSION_DEPTH_LIMIT = 5_000;

/** Names with numbers in numeric order (W2 before W10); one collator, as `localeCompare` with options builds one per call. */
const NUMERIC_ORDER = new Intl.Collator('en', { numeric: true });

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
  const functions = new Map<string, { op: OpName; alias: string }>();
  for (const [alias, fn] of Object.entries(options.functions ?? {})) {
    const key = canonicalName(alias).key;
    const op = functionOp(fn);
    if (op === undefined) {
      throw new ChainruleError('graph', `function '${alias}' is bound to '${fn}', which is not one of ${Object.keys(FUNCTIONS).join(', ')}${closestFunctionName(fn) ? ` (did you mean ${closestFunctionName(fn)}?)` : ''}`);
    }
    functions.set(key, { op, alias });
  }

  const definedKeys = new Set(parsed.map((e) => e.target.key));
  const equations: Equation[] = [];
  for (const equation of parsed) {
    const rhs = equation.expression;
    const bound = rhs.type === 'name' && !definedKeys.has(rhs.name.key) ? functionOp(rhs.name) : undefined;
    if (bound !== undefined) {
      functions.set(equation.target.key, { op: bound, alias: equation.target.text });
    } else {
      equations.push(equation);
    }
  }

  const definitions = new Map<string, Equation>();
  for (const equation of equations) {
    const earlier = definitions.get(equation.target.key);
    if (earlier) {
      throw new ChainruleError(
        'graph',
        `'${equation.target.text}' is defined twice: on line ${earlier.pos.line} (${earlier.source}) and here (${equation.source})`,
        equation.pos,
      );
    }
    if (functions.has(equation.target.key)) {
      throw new ChainruleError('graph', `'${equation.target.text}' is a function and cannot also be defined by an equation`, equation.pos);
    }
    if (functionOp(equation.target) !== undefined) {
      throw new ChainruleError(
        'graph',
        `'${equation.target.text}' is the name of a function (${equation.target.text}(u)) and cannot also name a variable: call the variable something else`,
        equation.pos,
      );
    }
    definitions.set(equation.target.key, equation);
  }

  const labels = new Map<string, string>();
  const label = (key: string, text: string) => {
    if (!labels.has(key)) labels.set(key, text);
  };
  for (const equation of equations) label(equation.target.key, equation.target.text);

  equations.forEach((equation, index) => checkDepth(equation, index));
  const expressions = new Map<string, Expr>();
  for (const equation of equations) expressions.set(equation.target.key, toExpr(equation.expression, equation, functions, definitions, label));

  // The equations each one reads (definitions only), once.
  const dependencies = new Map<string, string[]>();
  const consumed = new Set<string>();
  for (const equation of equations) {
    const ids = idsOf(expressions.get(equation.target.key)!);
    const deps: string[] = [];
    for (const id of ids) {
      consumed.add(id);
      if (definitions.has(id)) deps.push(id);
    }
    dependencies.set(equation.target.key, deps);
  }
  const order = computationOrder(equations, dependencies, consumed);

  const loss = chooseLoss(options.loss, equations, consumed);
  const wrt = new Set((options.wrt ?? []).map((name) => canonicalName(name).key));
  const roles = new Map(Object.entries(options.roles ?? {}).map(([name, role]) => [canonicalName(name).key, role]));

  const leafKeySet = new Set<string>();
  for (const key of order) for (const id of idsOf(expressions.get(key)!)) if (!definitions.has(id)) leafKeySet.add(id);
  const leafKeys = [...leafKeySet];
  for (const key of roles.keys()) {
    if (definitions.has(key)) throw new ChainruleError('graph', `a role is given for '${labels.get(key)}', but it is computed by an equation, not a leaf`);
  }

  const leaves: GraphNode[] = leafKeys.map((key) => ({
    id: key,
    label: labels.get(key) ?? key,
    kind: roles.get(key) ?? (wrt.has(key) ? 'parameter' : key.endsWith('hat') ? 'target' : 'input'),
    added: false,
  }));
  const kindOrder: NodeKind[] = ['input', 'parameter', 'target'];
  const nodes = leaves.sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || NUMERIC_ORDER.compare(a.id, b.id));
  for (const key of order) {
    const equation = definitions.get(key)!;
    const kind: NodeKind = key === loss ? 'loss' : 'intermediate';
    nodes.push({
      id: key,
      label: labels.get(key)!,
      kind,
      expression: expressions.get(key)!,
      added: false,
      equation: { source: equation.source, line: equation.pos.line },
    });
  }
  return new Graph(nodes, loss);
}

/**
 * The order a student computes the equations in: depth-first from each unused node (the loss),
 * every value right after the values it needs, operands left to right. Iterative, so chains of
 * any length work. A dependency met again while it is still being entered closes a cycle.
 */
function computationOrder(equations: readonly Equation[], dependencies: ReadonlyMap<string, readonly string[]>, consumed: ReadonlySet<string>): string[] {
  const roots: string[] = [];
  for (const e of equations) if (!consumed.has(e.target.key)) roots.push(e.target.key);
  for (const e of equations) roots.push(e.target.key);
  // 1: entered, 2: placed in the order.
  const state = new Map<string, 1 | 2>();
  const order: string[] = [];
  const keys: string[] = [];
  const next: number[] = [];
  for (const root of roots) {
    if (state.has(root)) continue;
    state.set(root, 1);
    keys.push(root);
    next.push(0);
    while (keys.length > 0) {
      const top = keys.length - 1;
      const dep = dependencies.get(keys[top]!)![next[top]!++];
      if (dep === undefined) {
        state.set(keys[top]!, 2);
        order.push(keys.pop()!);
        next.pop();
      } else if (!state.has(dep)) {
        state.set(dep, 1);
        keys.push(dep);
        next.push(0);
      } else if (state.get(dep) === 1) {
        throwCycle(equations, dependencies);
      }
    }
  }
  return order;
}

function chooseLoss(requested: string | undefined, equations: readonly Equation[], consumed: ReadonlySet<string>): string | undefined {
  if (requested !== undefined) {
    const key = canonicalName(requested).key;
    if (!equations.some((e) => e.target.key === key)) throw new ChainruleError('graph', `the loss '${requested}' is not defined by any equation`);
    return key;
  }
  const sinks = equations.filter((e) => !consumed.has(e.target.key)).map((e) => e.target.key);
  if (sinks.length === 1) return sinks[0];
  return sinks.find((key) => key === 'L' || key.toLowerCase() === 'loss');
}

/** Names the equations on a cycle (and those that wait on one): what Kahn's algorithm leaves over. */
function throwCycle(equations: readonly Equation[], dependencies: ReadonlyMap<string, readonly string[]>): never {
  const pending = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const equation of equations) {
    const key = equation.target.key;
    const deps = new Set(dependencies.get(key));
    pending.set(key, deps.size);
    for (const dep of deps) {
      if (!dependants.has(dep)) dependants.set(dep, []);
      dependants.get(dep)!.push(key);
    }
  }
  const ready = equations.map((e) => e.target.key).filter((key) => pending.get(key) === 0);
  for (let i = 0; i < ready.length; i++) {
    for (const next of dependants.get(ready[i]!) ?? []) {
      const left = pending.get(next)! - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const onCycle = equations.filter((e) => pending.get(e.target.key)! > 0);
  throw new ChainruleError(
    'graph',
    `the equations form a cycle: ${onCycle.map((e) => `'${e.source}' (line ${e.pos.line})`).join(', ')} depend on each other`,
    onCycle[0]!.pos,
  );
}

/** Refuses an expression nested deeper than {@link EXPRESSION_DEPTH_LIMIT}, before anything is built from it. */
function checkDepth(equation: Equation, index: number): void {
  const stack: [Ast, number][] = [[equation.expression, 0]];
  let deepest = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (depth > EXPRESSION_DEPTH_LIMIT) {
      const at: Position = equation.pos;
      throw new ChainruleError(
        'limit',
        `equation ${index + 1} ('${equation.target.text}', line ${at.line}, column ${at.column}) nests deeper than the limit of ${EXPRESSION_DEPTH_LIMIT.toLocaleString('en')} operators (a sum of n terms or a product of n factors is n − 1 deep): split it into several equations`,
        at,
      );
    }
    for (const child of children(node)) stack.push([child, depth + 1]);
  }
}

const NO_CHILDREN: readonly Ast[] = [];
function children(node: Ast): readonly Ast[] {
  switch (node.type) {
    case 'binary':
      return [node.left, node.right];
    case 'call':
      return node.args;
    case 'negate':
    case 'squaredNorm':
    case 'square':
    case 'transpose':
      return [node.operand];
    default:
      return NO_CHILDREN;
  }
}

/** True for an expression built from numbers only, which is folded into a constant. */
const isConstant = (e: Expr): e is Extract<Expr, { kind: 'const' }> => e.kind === 'const';

/**
 * The expression of one equation. Iterative (a sum of thousands of terms is as deep as it is
 * long): a node is entered (checks that need no operands, in source order) and left once its
 * operands are on the value stack.
 */
function toExpr(
  ast: Ast,
  equation: Equation,
  functions: ReadonlyMap<string, { op: OpName; alias: string }>,
  definitions: ReadonlyMap<string, Equation>,
  label: (key: string, text: string) => void,
): Expr {
  const values: Expr[] = [];
  /** For a call: the op it applies, or undefined for a product `W (x + b)`. */
  const calls = new Map<Ast, { op: OpName; alias?: string } | undefined>();
  const stack: [Ast, boolean][] = [[ast, false]];
  while (stack.length > 0) {
    const [node, leaving] = stack.pop()!;
    if (!leaving) {
      switch (node.type) {
        case 'number':
          values.push(constant(node.value, node.text));
          continue;
        case 'name':
          if (functions.has(node.name.key) || (!definitions.has(node.name.key) && functionOp(node.name) !== undefined)) {
            throw new ChainruleError('graph', `'${node.name.text}' is a function: apply it to an argument, e.g. ${node.name.text}(u)`, node.pos);
          }
          label(node.name.key, node.name.text);
          values.push(ref(node.name.key));
          continue;
        case 'call':
          calls.set(node, enterCall(node, functions, definitions, label));
          break;
      }
      stack.push([node, true]);
      const operands = children(node);
      for (let i = operands.length - 1; i >= 0; i--) stack.push([operands[i]!, false]);
      continue;
    }
    values.push(leave(node, values, calls));
  }
  if (values.length !== 1) throw new ChainruleError('internal', `unknown expression in '${equation.source}'`, equation.pos);
  return values[0]!;
}

/** The checks of a call before its arguments: which op it applies, or a product `W (x + b)` (undefined). */
function enterCall(
  node: Extract<Ast, { type: 'call' }>,
  functions: ReadonlyMap<string, { op: OpName; alias: string }>,
  definitions: ReadonlyMap<string, Equation>,
  label: (key: string, text: string) => void,
): { op: OpName; alias?: string } | undefined {
  const bound = functions.get(node.callee.key);
  const builtin = definitions.has(node.callee.key) ? undefined : functionOp(node.callee);
  const op = bound?.op ?? builtin;
  if (op === undefined) {
    // `W (x + b)`: a matrix followed by parentheses is a product. A lower-case name applied
    // like `f(u1)` is a function the problem forgot to bind, not a matrix.
    // `rleu(u)`, or `f(u)` after a binding line `f = rleu`: a misspelt function name.
    const definition = definitions.get(node.callee.key);
    const written = definition === undefined ? { name: node.callee, pos: node.pos } : definition.expression.type === 'name' ? definition.expression : undefined;
    const typo = written && !definitions.has(written.name.key) && /^\p{L}+$/u.test(written.name.text)
      ? closestFunctionName(written.name.text, /^[a-z]/.test(written.name.text) ? 2 : 1)
      : undefined;
    if (written !== undefined && typo !== undefined) {
      throw new ChainruleError('graph', `'${written.name.text}' is not a function chainrule knows: did you mean ${typo}?`, written.pos);
    }
    if (/^[a-zσφ]/.test(node.callee.text) && !definitions.has(node.callee.key)) {
      throw new ChainruleError(
        'graph',
        `'${node.callee.text}' is applied like a function but is not bound to one: add a line '${node.callee.text} = relu' (or sigmoid, tanh, …) or "functions": {"${node.callee.text}": "relu"}`,
        node.pos,
      );
    }
    if (node.args.length !== 1) {
      throw new ChainruleError('graph', `'${node.callee.text}' is not a function (bind it, e.g. '${node.callee.text} = relu')`, node.pos);
    }
    label(node.callee.key, node.callee.text);
    return undefined;
  }
  const arity = opArity(op);
  if (node.args.length !== arity) {
    throw new ChainruleError('graph', `${node.callee.text}(…) takes ${arity === 1 ? 'one argument' : `${arity} arguments`}, got ${node.args.length}`, node.pos);
  }
  return bound ? { op, alias: bound.alias } : { op };
}

/** Builds a node's expression from its operands, which are on top of `values`. */
function leave(node: Ast, values: Expr[], calls: ReadonlyMap<Ast, { op: OpName; alias?: string } | undefined>): Expr {
  switch (node.type) {
    case 'negate': {
      const operand = values.pop()!;
      return isConstant(operand) ? constant(-operand.value, `−${operand.text ?? operand.value}`) : expandOp('neg', [operand]);
    }
    case 'binary': {
      const right = values.pop()!;
      const left = values.pop()!;
      if (isConstant(left) && isConstant(right)) return foldConstants(node.op, left, right);
      switch (node.op) {
        case '+':
          return expandOp('add', [left, right]);
        case '-':
          return expandOp('sub', [left, right]);
        case '*':
          return expandOp('mul', [left, right]);
        case '/':
          return expandOp('div', [left, right]);
        case 'matmul':
          // A number next to a matrix scales it (`1/2 ||v||^2`, `2 x`); otherwise juxtaposition is the matrix product.
          return expandOp(isConstant(left) || isConstant(right) ? 'mul' : 'matmul', [left, right]);
      }
      break;
    }
    case 'call': {
      const call = calls.get(node);
      const args = values.splice(values.length - node.args.length);
      if (call === undefined) return expandOp('matmul', [ref(node.callee.key), args[0]!]);
      return expandOp(call.op, args, call.alias);
    }
    case 'squaredNorm':
      return expandOp('squaredNorm', [values.pop()!]);
    case 'square': {
      const operand = values.pop()!;
      return isConstant(operand) ? constant(operand.value ** 2) : expandOp('square', [operand]);
    }
    case 'transpose':
      return expandOp('transpose', [values.pop()!]);
  }
  throw new ChainruleError('internal', `unknown expression '${node.type}'`);
}

function foldConstants(op: '+' | '-' | '*' | '/' | 'matmul', left: { value: number; text?: string }, right: { value: number; text?: string }): Expr {
  const l = left.text ?? String(left.value);
  const r = right.text ?? String(right.value);
  switch (op) {
    case '+':
      return constant(left.value + right.value, `${l} + ${r}`);
    case '-':
      return constant(left.value - right.value, `${l} − ${r}`);
    case '/':
      return constant(left.value / right.value, `${l}/${r}`);
    default:
      return constant(left.value * right.value, `${l}·${r}`);
  }
}
