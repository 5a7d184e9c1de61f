import { ChainruleError } from '@chainrule/tensor';
import { type Expr, constant, idsOf, ref } from './expr.ts';
import { closestFunctionName, functionOp } from './function-names.ts';
import { FUNCTIONS, type OpName, expandOp, opArity } from './ops/index.ts';
import { type GraphNode, Graph } from './graph.ts';
import type { Ast, Equation, Name, Position } from './parse/ast.ts';
import { postOrder } from './walk.ts';
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

/**
 * `NUMERIC_ORDER.compare(a, b)` (the collator costs about 0.4 µs a call), worked out by hand for
 * ids of ASCII letters and digits without leading zeros that differ beyond case: letters
 * alphabetically whatever their case, a number before a letter, numbers by value, an id before
 * its continuations. The collator decides the rest (a difference of case only, anything else).
 *
 * @example
 * compareIds('W2', 'W10'); // negative
 * compareIds('b', 'A1');   // positive
 */
export function compareIds(a: string, b: string): number {
  if (!plainId(a) || !plainId(b)) return NUMERIC_ORDER.compare(a, b);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(j);
    const xDigit = isDigitCode(x);
    if (xDigit !== isDigitCode(y)) return xDigit ? -1 : 1;
    if (xDigit) {
      // Numbers without leading zeros: the longer is larger, else the first differing digit decides.
      let iEnd = i;
      let jEnd = j;
      while (isDigitCode(a.charCodeAt(iEnd))) iEnd++;
      while (isDigitCode(b.charCodeAt(jEnd))) jEnd++;
      if (iEnd - i !== jEnd - j) return iEnd - i - (jEnd - j);
      for (; i < iEnd; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return a.charCodeAt(i) - b.charCodeAt(j);
    } else {
      const difference = (x | 0x20) - (y | 0x20);
      if (difference !== 0) return difference;
      i++;
      j++;
    }
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return NUMERIC_ORDER.compare(a, b);
}
const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;
/** ASCII letters and digits only, no number starting with 0. */
function plainId(id: string): boolean {
  for (let k = 0; k < id.length; k++) {
    const code = id.charCodeAt(k);
    if (code === 48 && (k === 0 || !isDigitCode(id.charCodeAt(k - 1)))) return false;
    if (!(isDigitCode(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122))) return false;
  }
  return true;
}

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
  const functions = new Map<string, Binding>();
  const bound = options.functions;
  if (bound !== undefined) {
    for (const alias of Object.keys(bound)) {
      const fn = bound[alias]!;
      const op = functionOp(fn);
      if (op === undefined) {
        throw new ChainruleError('graph', `function '${alias}' is bound to '${fn}', which is not one of ${Object.keys(FUNCTIONS).join(', ')}${closestFunctionName(fn) ? ` (did you mean ${closestFunctionName(fn)}?)` : ''}`);
      }
      functions.set(canonicalName(alias).key, { op, alias });
    }
  }

  const definedKeys = new Set<string>();
  for (const equation of parsed) definedKeys.add(equation.target.key);
  const equations: Equation[] = [];
  for (const equation of parsed) {
    const rhs = equation.expression;
    const op = rhs.type === 'name' && !definedKeys.has(rhs.name.key) ? functionOp(rhs.name) : undefined;
    if (op !== undefined) functions.set(equation.target.key, { op, alias: equation.target.text });
    else equations.push(equation);
  }

  /** Equations by the key they define: the index into `equations`. */
  const definitions = new Map<string, number>();
  for (let i = 0; i < equations.length; i++) {
    const equation = equations[i]!;
    const earlier = definitions.get(equation.target.key);
    if (earlier !== undefined) {
      const first = equations[earlier]!;
      throw new ChainruleError('graph', `'${equation.target.text}' is defined twice: on line ${first.pos.line} (${first.source}) and here (${equation.source})`, equation.pos);
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
    definitions.set(equation.target.key, i);
  }

  for (let i = 0; i < equations.length; i++) checkDepth(equations[i]!, i);
  const builder = new ExprBuilder(functions, definitions, equations);
  const expressions = equations.map((equation) => builder.build(equation));

  // What each equation reads among the equations (by index), and which equations something reads.
  const reads = expressions.map((expression) => idsOf(expression));
  const dependencies: number[][] = [];
  const consumed = new Uint8Array(equations.length);
  for (const ids of reads) {
    const deps: number[] = [];
    for (const id of ids) {
      const dep = definitions.get(id);
      if (dep !== undefined) {
        consumed[dep] = 1;
        deps.push(dep);
      }
    }
    dependencies.push(deps);
  }
  const order = computationOrder(equations, dependencies, consumed);

  const loss = chooseLoss(options.loss, equations, definitions, consumed);
  const wrt = new Set<string>();
  for (const name of options.wrt ?? []) wrt.add(canonicalName(name).key);
  const roles = new Map<string, LeafRole>();
  if (options.roles !== undefined) for (const name of Object.keys(options.roles)) roles.set(canonicalName(name).key, options.roles[name]!);

  const leafKeys = new Set<string>();
  for (const i of order) for (const id of reads[i]!) if (!definitions.has(id)) leafKeys.add(id);
  for (const key of roles.keys()) {
    const definition = definitions.get(key);
    if (definition !== undefined) throw new ChainruleError('graph', `a role is given for '${equations[definition]!.target.text}', but it is computed by an equation, not a leaf`);
  }

  const nodes: GraphNode[] = [];
  for (const key of leafKeys) {
    nodes.push({ id: key, label: builder.labels.get(key) ?? key, kind: roles.get(key) ?? (wrt.has(key) ? 'parameter' : key.endsWith('hat') ? 'target' : 'input'), added: false });
  }
  nodes.sort(byKindThenName);
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
  return new Graph(nodes, loss);
}

/** A function name bound to an op: `f` for `f = relu`. */
interface Binding {
  op: OpName;
  alias: string;
}

const KIND_ORDER: Readonly<Record<string, number>> = { input: 0, parameter: 1, target: 2 };
function byKindThenName(a: GraphNode, b: GraphNode): number {
  return KIND_ORDER[a.kind]! - KIND_ORDER[b.kind]! || compareIds(a.id, b.id);
}

/**
 * The order a student computes the equations in: depth-first from each unused node (the loss),
 * every value right after the values it needs, operands left to right. Iterative, so chains of
 * any length work. A dependency met again while it is still being entered closes a cycle.
 */
function computationOrder(equations: readonly Equation[], dependencies: readonly (readonly number[])[], consumed: Uint8Array): number[] {
  // 1: entered, 2: placed in the order. Roots: the unused equations, then every equation, in order.
  const state = new Uint8Array(equations.length);
  const order: number[] = [];
  const stack: number[] = [];
  const next: number[] = [];
  for (let r = 0; r < 2 * equations.length; r++) {
    const root = r < equations.length ? r : r - equations.length;
    if (state[root] !== 0 || (r < equations.length && consumed[root] !== 0)) continue;
    state[root] = 1;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const dep = dependencies[stack[top]!]![next[top]!++];
      if (dep === undefined) {
        state[stack[top]!] = 2;
        order.push(stack.pop()!);
        next.pop();
      } else if (state[dep] === 0) {
        state[dep] = 1;
        stack.push(dep);
        next.push(0);
      } else if (state[dep] === 1) {
        throwCycle(equations, dependencies);
      }
    }
  }
  return order;
}

function chooseLoss(requested: string | undefined, equations: readonly Equation[], definitions: ReadonlyMap<string, number>, consumed: Uint8Array): string | undefined {
  if (requested !== undefined) {
    const key = canonicalName(requested).key;
    if (!definitions.has(key)) throw new ChainruleError('graph', `the loss '${requested}' is not defined by any equation`);
    return key;
  }
  const sinks: string[] = [];
  for (let i = 0; i < equations.length; i++) if (consumed[i] === 0) sinks.push(equations[i]!.target.key);
  if (sinks.length === 1) return sinks[0];
  return sinks.find((key) => key === 'L' || key.toLowerCase() === 'loss');
}

/** Names the equations on a cycle (and those that wait on one): what Kahn's algorithm leaves over. */
function throwCycle(equations: readonly Equation[], dependencies: readonly (readonly number[])[]): never {
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

/** Refuses an expression nested deeper than {@link EXPRESSION_DEPTH_LIMIT}, before anything is built from it. */
function checkDepth(equation: Equation, index: number): void {
  openOperators = 0;
  postOrder(equation.expression, astChild, leaveOperator, enterOperator);
  if (openOperators <= EXPRESSION_DEPTH_LIMIT + 1) return;
  const at: Position = equation.pos;
  throw new ChainruleError(
    'limit',
    `equation ${index + 1} ('${equation.target.text}', line ${at.line}, column ${at.column}) nests deeper than the limit of ${EXPRESSION_DEPTH_LIMIT.toLocaleString('en')} operators (a sum of n terms or a product of n factors is n − 1 deep): split it into several equations`,
    at,
  );
}
/** The nodes entered and not yet left by the depth check's walk (the top's depth is 0); past the limit, the walk stops. */
let openOperators = 0;
const enterOperator = (): boolean => ++openOperators <= EXPRESSION_DEPTH_LIMIT + 1;
const leaveOperator = (): void => {
  // A walk stopped at the limit leaves the count above it, for checkDepth to see.
  if (openOperators <= EXPRESSION_DEPTH_LIMIT + 1) openOperators--;
};

/** The operands of a node of the parsed expression, one at a time (see {@link postOrder}). */
function astChild(node: Ast, index: number): Ast | undefined {
  switch (node.type) {
    case 'binary':
      return index === 0 ? node.left : index === 1 ? node.right : undefined;
    case 'call':
      return node.args[index];
    case 'negate':
    case 'squaredNorm':
    case 'square':
    case 'transpose':
      return index === 0 ? node.operand : undefined;
    default:
      return undefined;
  }
}

/** True for an expression built from numbers only, which is folded into a constant. */
const isConstant = (e: Expr): e is Extract<Expr, { kind: 'const' }> => e.kind === 'const';

/** What a call applies: an op (with the name it was bound to), or undefined for a product `W (x + b)`. */
type CallOp = { op: OpName; alias?: string } | undefined;

/** The builder whose walk runs (walks do not nest): the walk's callbacks are plain functions, not a closure per builder or equation. */
let building: ExprBuilder | undefined;
const enterAst = (node: Ast): boolean => building!.enterNode(node);
const leaveAst = (node: Ast): void => building!.leaveNode(node);

/**
 * Builds the expression of each equation with one post-order walk of its parsed expression: a
 * node is entered (checks that need no operands, in source order) and left once its operands
 * are on the value stack. One builder per graph.
 */
class ExprBuilder {
  /** The name as first written, for the names no equation defines (leaves). */
  readonly labels = new Map<string, string>();
  readonly #values: Expr[] = [];
  /** What each call being walked applies, innermost last. */
  readonly #calls: CallOp[] = [];

  constructor(
    private readonly functions: ReadonlyMap<string, Binding>,
    private readonly definitions: ReadonlyMap<string, number>,
    private readonly equations: readonly Equation[],
  ) {}

  build(equation: Equation): Expr {
    const values = this.#values;
    values.length = 0;
    building = this;
    try {
      postOrder(equation.expression, astChild, leaveAst, enterAst);
    } finally {
      building = undefined;
    }
    if (values.length !== 1) throw new ChainruleError('internal', `unknown expression in '${equation.source}'`, equation.pos);
    return values.pop()!;
  }

  #label(name: Name): void {
    if (!this.definitions.has(name.key) && !this.labels.has(name.key)) this.labels.set(name.key, name.text);
  }

  enterNode(node: Ast): boolean {
    switch (node.type) {
      case 'number':
        this.#values.push(constant(node.value, node.text));
        return false;
      case 'name':
        if (this.functions.has(node.name.key) || (!this.definitions.has(node.name.key) && functionOp(node.name) !== undefined)) {
          throw new ChainruleError('graph', `'${node.name.text}' is a function: apply it to an argument, e.g. ${node.name.text}(u)`, node.pos);
        }
        this.#label(node.name);
        this.#values.push(ref(node.name.key));
        return false;
      case 'call':
        this.#calls.push(this.#enterCall(node));
        return true;
      default:
        return true;
    }
  }

  /** Builds a node's expression from its operands, which are on top of the value stack, and pushes it. */
  leaveNode(node: Ast): void {
    this.#values.push(this.#expressionOf(node));
  }

  #expressionOf(node: Ast): Expr {
    const values = this.#values;
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
        const call = this.#calls.pop();
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

  /** The checks of a call before its arguments: which op it applies, or a product `W (x + b)` (undefined). */
  #enterCall(node: Extract<Ast, { type: 'call' }>): CallOp {
    const { functions, definitions } = this;
    const bound = functions.get(node.callee.key);
    const builtin = definitions.has(node.callee.key) ? undefined : functionOp(node.callee);
    const op = bound?.op ?? builtin;
    if (op === undefined) {
      // `W (x + b)`: a matrix followed by parentheses is a product. A lower-case name applied
      // like `f(u1)` is a function the problem forgot to bind, not a matrix.
      // `rleu(u)`, or `f(u)` after a binding line `f = rleu`: a misspelt function name.
      const index = definitions.get(node.callee.key);
      const definition = index === undefined ? undefined : this.equations[index]!;
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
      this.#label(node.callee);
      return undefined;
    }
    const arity = opArity(op);
    if (node.args.length !== arity) {
      throw new ChainruleError('graph', `${node.callee.text}(…) takes ${arity === 1 ? 'one argument' : `${arity} arguments`}, got ${node.args.length}`, node.pos);
    }
    return bound ? { op, alias: bound.alias } : { op };
  }
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
