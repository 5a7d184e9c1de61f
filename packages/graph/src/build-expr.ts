import { ChainruleError } from '@chainrule/tensor';
import { type Expr, constant, idsOf, ref } from './expr.ts';
import { closestFunctionName, functionOp } from './function-names.ts';
import { FUNCTIONS, type OpName, expandOp, opArity } from './ops/index.ts';
import type { Ast, Equation, Name } from './parse/ast.ts';

/*
 * The expression builder of graphFromEquations: one walk of each equation's parsed expression, and
 * one table entry (a {@link Slot}) per name, so that a name costs one Map lookup however many
 * questions are asked about it (defined? a function? a leaf's first spelling? read already?).
 */

/**
 * How deeply one equation's expression may nest, counted in the operators on the longest path
 * from the top (a sum of n terms or a product of n factors is n − 1 deep). Building, differentiating,
 * evaluating and printing need no stack for it; the limit keeps what other packages do with one
 * expression bounded. A deeper one is refused before any work, naming the equation, its line and column.
 */
export const EXPRESSION_DEPTH_LIMIT = 5_000;

/** A function name bound to an op: `f` for `f = relu`. */
export interface Binding {
  readonly op: OpName;
  readonly alias: string;
}

/** Everything one build knows about one key (a name of the equations). */
export interface Slot {
  readonly key: string;
  /** The index (into the equations that define values) of the equation defining the key; -1 for a leaf. */
  equation: number;
  /** Whether any line defines the key, a line binding a function (`f = relu`) included. */
  defined: boolean;
  /** The function the key is bound to, if it is one. */
  binding: Binding | undefined;
  /** For a leaf: the spelling first written. */
  label: string | undefined;
  /** The last equation whose reads hold the key (each read is listed once). */
  readBy: number;
  /** For a leaf: a spelling already found not to be a function name (the check runs once). */
  plainText: string | undefined;
  /** Marks of the graph's assembly: placed as a leaf node, listed in `wrt`, its role. */
  placed: boolean;
  parameter: boolean;
  role: 'input' | 'parameter' | 'target' | undefined;
}

/** The slots of one build, by key. @example slotOf(slots, 'W1').equation */
export function slotOf(slots: Map<string, Slot>, key: string): Slot {
  let slot = slots.get(key);
  if (slot === undefined) {
    slot = { key, equation: -1, defined: false, binding: undefined, label: undefined, readBy: -1, plainText: undefined, placed: false, parameter: false, role: undefined };
    slots.set(key, slot);
  }
  return slot;
}

/** What a call applies: an op (with the name it was bound to), or undefined for a product `W (x + b)`. */
type CallOp = { op: OpName; alias?: string } | undefined;

/** True for an expression built from numbers only, which is folded into a constant. */
const isConstant = (e: Expr): e is Extract<Expr, { kind: 'const' }> => e.kind === 'const';

/** The operands of a node of the parsed expression, one at a time. @example astChild(ast, 0) */
export function astChild(node: Ast, index: number): Ast | undefined {
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

/**
 * Builds the expression of each equation with one iterative post-order walk of its parsed
 * expression: a node is entered (checks that need no operands, in source order) and left once its
 * operands are on the value stack. The walk also lists what the equation reads and refuses a
 * nesting deeper than {@link EXPRESSION_DEPTH_LIMIT} (graphFromEquations reports the faults in the
 * order a depth check of every equation first, then the build, would find them).
 *
 * @example
 * const builder = new ExpressionBuilder(slots, equations);
 * builder.build(equations[0], 0); // the expression; builder.reads: the slots it reads (then the next one's)
 */
export class ExpressionBuilder {
  /** The slots each built expression reads, in order of first appearance (as `idsOf` lists them), one expression after another. */
  readonly reads: Slot[] = [];
  readonly #values: Expr[] = [];
  readonly #calls: CallOp[] = [];
  readonly #nodes: Ast[] = [];
  readonly #next: number[] = [];
  #index = 0;
  /** Whether a derived op was expanded: its template may read its operands in another order. */
  #expanded = false;

  /** `bindings`: whether any name is bound to a function (`f = relu`, or by the options). */
  constructor(
    private readonly slots: Map<string, Slot>,
    private readonly equations: readonly Equation[],
    private readonly bindings = true,
  ) {}

  /** The expression of equation `index`; throws the first fault met (a 'limit' error when it nests too deep). */
  build(equation: Equation, index: number): Expr {
    // walk.ts's postOrder, written out: the depth check needs the stack's height, and this walk runs
    // over every AST node of every uncached request, so no callbacks per node. The stacks are empty
    // here: a walk that ends empties them, one that throws ends the build.
    const values = this.#values;
    const nodes = this.#nodes;
    const next = this.#next;
    this.#index = index;
    this.#expanded = false;
    const readsFrom = this.reads.length;
    if (this.#enter(equation.expression)) {
      nodes.push(equation.expression);
      next.push(0);
    }
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const node = nodes[top]!;
      const kid = astChild(node, next[top]!++);
      if (kid === undefined) {
        nodes.pop();
        next.pop();
        values.push(this.#expressionOf(node));
      } else {
        // The operand is `nodes.length` operators below the top.
        if (nodes.length > EXPRESSION_DEPTH_LIMIT) throw depthError(equation, index);
        if (this.#enter(kid)) {
          nodes.push(kid);
          next.push(0);
        }
      }
    }
    if (values.length !== 1) throw new ChainruleError('internal', `unknown expression in '${equation.source}'`, equation.pos);
    const expression = values.pop()!;
    if (this.#expanded) {
      this.reads.length = readsFrom;
      for (const id of idsOf(expression)) this.reads.push(slotOf(this.slots, id));
    }
    return expression;
  }

  #read(slot: Slot): void {
    if (slot.readBy === this.#index) return;
    slot.readBy = this.#index;
    this.reads.push(slot);
  }

  /** A name that is not defined keeps its first spelling as its label. */
  #label(slot: Slot, name: Name): void {
    if (slot.equation < 0 && slot.label === undefined) slot.label = name.text;
  }

  #enter(node: Ast): boolean {
    switch (node.type) {
      case 'number':
        this.#values.push(constant(node.value, node.text));
        return false;
      case 'name': {
        const slot = slotOf(this.slots, node.name.key);
        if (slot.binding !== undefined || (slot.equation < 0 && slot.plainText !== node.name.text && functionOp(node.name) !== undefined)) {
          throw new ChainruleError('graph', `'${node.name.text}' is a function: apply it to an argument, e.g. ${node.name.text}(u)`, node.pos);
        }
        if (slot.equation < 0) slot.plainText = node.name.text;
        this.#label(slot, node.name);
        this.#read(slot);
        this.#values.push(ref(node.name.key));
        return false;
      }
      case 'call':
        this.#calls.push(this.#enterCall(node));
        return true;
      default:
        return true;
    }
  }

  /** `op` applied to operands, noting whether a derived op's template reads them in another order. */
  #apply(op: OpName, args: Expr[], alias?: string): Expr {
    const expression = expandOp(op, args, alias);
    if ((expression.kind !== 'op' || expression.args !== args) && !readsInOrder(expression, args)) this.#expanded = true;
    return expression;
  }

  /** Builds a node's expression from its operands, which are on top of the value stack. */
  #expressionOf(node: Ast): Expr {
    const values = this.#values;
    switch (node.type) {
      case 'negate': {
        const operand = values.pop()!;
        return isConstant(operand) ? constant(-operand.value, `−${operand.text ?? operand.value}`) : this.#apply('neg', [operand]);
      }
      case 'binary': {
        const right = values.pop()!;
        const left = values.pop()!;
        if (isConstant(left) && isConstant(right)) return foldConstants(node.op, left, right);
        switch (node.op) {
          case '+':
            return this.#apply('add', [left, right]);
          case '-':
            return this.#apply('sub', [left, right]);
          case '*':
            return this.#apply('mul', [left, right]);
          case '/':
            return this.#apply('div', [left, right]);
          case 'matmul':
            // A number next to a matrix scales it (`1/2 ||v||^2`, `2 x`); otherwise juxtaposition is the matrix product.
            return this.#apply(isConstant(left) || isConstant(right) ? 'mul' : 'matmul', [left, right]);
        }
        break;
      }
      case 'call': {
        const call = this.#calls.pop();
        const args = values.splice(values.length - node.args.length);
        if (call === undefined) return this.#apply('matmul', [ref(node.callee.key), args[0]!]);
        return this.#apply(call.op, args, call.alias);
      }
      case 'squaredNorm':
        return this.#apply('squaredNorm', [values.pop()!]);
      case 'square': {
        const operand = values.pop()!;
        return isConstant(operand) ? constant(operand.value ** 2) : this.#apply('square', [operand]);
      }
      case 'transpose':
        return this.#apply('transpose', [values.pop()!]);
    }
    throw new ChainruleError('internal', `unknown expression '${node.type}'`);
  }

  /** The checks of a call before its arguments: which op it applies, or a product `W (x + b)` (undefined). */
  #enterCall(node: Extract<Ast, { type: 'call' }>): CallOp {
    // A function's own name (`tanh`) is no variable (graphFromEquations refuses one): without
    // bindings it applies its op, and needs no look-up.
    if (!this.bindings && Object.hasOwn(FUNCTIONS, node.callee.key)) return this.#arityChecked(node, FUNCTIONS[node.callee.key]!, undefined);
    const { slots } = this;
    const callee = slots.get(node.callee.key);
    const bound = callee?.binding;
    const defined = callee !== undefined && callee.equation >= 0;
    const op = bound?.op ?? (defined ? undefined : functionOp(node.callee));
    if (op === undefined) {
      // `W (x + b)`: a matrix followed by parentheses is a product. A lower-case name applied
      // like `f(u1)` is a function the problem forgot to bind, not a matrix.
      // `rleu(u)`, or `f(u)` after a binding line `f = rleu`: a misspelt function name.
      const definition = defined ? this.equations[callee.equation]! : undefined;
      const written = definition === undefined ? { name: node.callee, pos: node.pos } : definition.expression.type === 'name' ? definition.expression : undefined;
      const typo = written && !((slots.get(written.name.key)?.equation ?? -1) >= 0) && /^\p{L}+$/u.test(written.name.text)
        ? closestFunctionName(written.name.text, /^[a-z]/.test(written.name.text) ? 2 : 1)
        : undefined;
      if (written !== undefined && typo !== undefined) {
        throw new ChainruleError('graph', `'${written.name.text}' is not a function chainrule knows: did you mean ${typo}?`, written.pos);
      }
      if (/^[a-zσφ]/.test(node.callee.text) && !defined) {
        throw new ChainruleError(
          'graph',
          `'${node.callee.text}' is applied like a function but is not bound to one: add a line '${node.callee.text} = relu' (or sigmoid, tanh, …) or "functions": {"${node.callee.text}": "relu"}`,
          node.pos,
        );
      }
      if (node.args.length !== 1) {
        throw new ChainruleError('graph', `'${node.callee.text}' is not a function (bind it, e.g. '${node.callee.text} = relu')`, node.pos);
      }
      const slot = callee ?? slotOf(slots, node.callee.key);
      this.#label(slot, node.callee);
      this.#read(slot);
      return undefined;
    }
    return this.#arityChecked(node, op, bound);
  }

  #arityChecked(node: Extract<Ast, { type: 'call' }>, op: OpName, bound: Binding | undefined): CallOp {
    const arity = opArity(op);
    if (node.args.length !== arity) {
      throw new ChainruleError('graph', `${node.callee.text}(…) takes ${arity === 1 ? 'one argument' : `${arity} arguments`}, got ${node.args.length}`, node.pos);
    }
    return bound ? { op, alias: bound.alias } : { op };
  }
}

/**
 * Whether a derived op's expansion reads its operands first in their order, each of them, and
 * nothing else (`a − b` → `a + (−b)`): then what it reads is what its operands read, in order. A
 * walk of the template's own nodes (an operand is not entered).
 */
function readsInOrder(expansion: Expr, operands: readonly Expr[]): boolean {
  let next = 0;
  const stack: Expr[] = [expansion];
  while (stack.length > 0) {
    const e = stack.pop()!;
    const index = operands.indexOf(e);
    if (index >= 0) {
      if (index > next) return false;
      if (index === next) next++;
    } else if (e.kind === 'ref') {
      return false;
    } else if (e.kind === 'op') {
      for (let i = e.args.length - 1; i >= 0; i--) stack.push(e.args[i]!);
    }
  }
  return next === operands.length;
}

/** The error of an equation nested deeper than {@link EXPRESSION_DEPTH_LIMIT}. @example throw depthError(equation, 0) */
export function depthError(equation: Equation, index: number): ChainruleError {
  const at = equation.pos;
  return new ChainruleError(
    'limit',
    `equation ${index + 1} ('${equation.target.text}', line ${at.line}, column ${at.column}) nests deeper than the limit of ${EXPRESSION_DEPTH_LIMIT.toLocaleString('en')} operators (a sum of n terms or a product of n factors is n − 1 deep): split it into several equations`,
    at,
  );
}

/** Whether an expression nests deeper than {@link EXPRESSION_DEPTH_LIMIT}: a walk that stops past the limit. @example nestsTooDeep(equation.expression) */
export function nestsTooDeep(root: Ast): boolean {
  const nodes: Ast[] = [root];
  const next: number[] = [0];
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const kid = astChild(nodes[top]!, next[top]!++);
    if (kid === undefined) {
      nodes.pop();
      next.pop();
    } else {
      if (nodes.length > EXPRESSION_DEPTH_LIMIT) return true;
      nodes.push(kid);
      next.push(0);
    }
  }
  return false;
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
