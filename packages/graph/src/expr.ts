import { type OpName, opRecord } from './ops/registry.ts';
import { postOrder } from './walk.ts';

/**
 * The expression of one graph node: a small tree of primitive ops over references to other nodes.
 * Gradient rules build new expressions with the constructors below, so a gradient is more graph.
 */
export type Expr = RefExpr | ConstExpr | OpExpr;

/** The value of another node of the graph, by id. */
export interface RefExpr {
  readonly kind: 'ref';
  readonly id: string;
}

/** A number; `text` keeps the spelling of the source (`1/2`) for display. */
export interface ConstExpr {
  readonly kind: 'const';
  readonly value: number;
  readonly text?: string;
}

/** A primitive op applied to its arguments. `alias` is the name a function was bound to (`f` for `f = relu`). */
export interface OpExpr {
  readonly kind: 'op';
  readonly op: OpName;
  readonly args: readonly Expr[];
  readonly alias?: string;
}

/** @example ref('W1') */
export const ref = (id: string): RefExpr => ({ kind: 'ref', id });

/** @example constant(0.5, '1/2') */
export const constant = (value: number, text?: string): ConstExpr => (text === undefined ? { kind: 'const', value } : { kind: 'const', value, text });

/** @example apply('relu', [ref('u1')], 'f') */
export const apply = (op: OpName, args: readonly Expr[], alias?: string): OpExpr =>
  alias === undefined ? { kind: 'op', op, args } : { kind: 'op', op, args, alias };

const isConst = (e: Expr): e is ConstExpr => e.kind === 'const';
const isZero = (e: Expr): boolean => e.kind === 'const' && e.value === 0;

/**
 * Symbolic algebra used by the gradient rules. `null` is the symbolic zero: it is skipped, never
 * materialised as a tensor of zeros. The constructors fold constants and drop factors of one so
 * that `½ · 2 (y − ŷ) · 1` comes out as `y − ŷ`, as a textbook writes it.
 */
export const algebra = {
  add(a: Expr | null, b: Expr | null): Expr | null {
    if (a === null) return b;
    if (b === null) return a;
    if (isConst(a) && isConst(b)) return constant(a.value + b.value);
    return apply('add', [a, b]);
  },
  neg(a: Expr | null): Expr | null {
    if (a === null) return null;
    if (isConst(a)) return constant(-a.value);
    if (a.kind === 'op' && a.op === 'neg') return a.args[0]!;
    return apply('neg', [a]);
  },
  sub(a: Expr | null, b: Expr | null): Expr | null {
    return algebra.add(a, algebra.neg(b));
  },
  /** Element-wise product (with broadcasting, so a scalar constant scales). */
  mul(a: Expr | null, b: Expr | null): Expr | null {
    if (a === null || b === null) return null;
    if (isZero(a) || isZero(b)) return null;
    if (isConst(b) && !isConst(a)) return algebra.mul(b, a);
    if (isConst(a)) {
      if (isConst(b)) return constant(a.value * b.value);
      const inner = b.kind === 'op' && b.op === 'mul' ? b.args[0]! : undefined;
      if (inner && isConst(inner)) return algebra.mul(constant(a.value * inner.value), (b as OpExpr).args[1]!);
      if (a.value === 1) return b;
      if (a.value === -1) return algebra.neg(b);
    }
    return apply('mul', [a, b]);
  },
  matmul(a: Expr | null, b: Expr | null): Expr | null {
    if (a === null || b === null) return null;
    return apply('matmul', [a, b]);
  },
  transpose(a: Expr | null): Expr | null {
    if (a === null) return null;
    if (a.kind === 'op' && a.op === 'transpose') return a.args[0]!;
    return apply('transpose', [a]);
  },
  recip(a: Expr): Expr {
    if (isConst(a)) return constant(1 / a.value);
    return apply('recip', [a]);
  },
  /** `g` summed down to the shape of `like` (the gradient of a broadcast); dropped when both are scalars. */
  unbroadcast(g: Expr | null, like: Expr): Expr | null {
    if (g === null) return null;
    if (scalarExpr(g) && scalarExpr(like)) return g;
    if (g.kind === 'op' && g.op === 'unbroadcast' && sameExprWithin(g.args[1]!, like, SAME_EXPR_BUDGET)) return g;
    return apply('unbroadcast', [g, like]);
  },
  /** `g` broadcast up to the shape of `like` (the gradient of a reduction). */
  expand(g: Expr | null, like: Expr): Expr | null {
    if (g === null) return null;
    return apply('expand', [g, like]);
  },
};

/**
 * True when the expression is a scalar whatever the shapes of the graph's leaves. Remembered per
 * expression and computed without recursion: the gradient of a sum of n terms asks at every term.
 */
function scalarExpr(e: Expr): boolean {
  if (e.kind !== 'op') return e.kind === 'const';
  const small = scalarWithin(e, SCALAR_WALK_BUDGET);
  if (small !== undefined) return small;
  const known = scalarCache.get(e);
  if (known !== undefined) return known;
  postOrder<Expr>(e, scalarOperand, leaveScalar, enterScalar);
  return scalarCache.get(e)!;
}

/** Whether an op's answer depends on its operands' answers: an element-wise op that is not a scalar by itself. */
function decidedByOperands(e: OpExpr): boolean {
  const record = opRecord(e.op);
  return record.elementwise && !record.scalarResult;
}
/** The operands still to be answered: an op read by another op is walked, a reference or a number is not. */
const enterScalar = (e: Expr): boolean => e.kind === 'op' && !scalarCache.has(e);
function scalarOperand(e: Expr, index: number): Expr | undefined {
  return e.kind === 'op' && decidedByOperands(e) ? e.args[index] : undefined;
}
function leaveScalar(e: Expr): void {
  const op = e as OpExpr;
  if (!decidedByOperands(op)) {
    scalarCache.set(op, opRecord(op.op).scalarResult);
    return;
  }
  let answer = true;
  for (const arg of op.args) {
    if (arg.kind === 'ref' || (arg.kind === 'op' && !scalarCache.get(arg))) {
      answer = false;
      break;
    }
  }
  scalarCache.set(op, answer);
}
const scalarCache = new WeakMap<OpExpr, boolean>();

/**
 * A small expression is answered by a walk that remembers nothing (an entry of a WeakMap keyed by
 * a fresh object costs the garbage collector microseconds); past this many ops, by the memo.
 */
const SCALAR_WALK_BUDGET = 32;
/** The answer of a walk of at most `budget` ops (a scalar needs every op on the way to be one); undefined past the budget. */
function scalarWithin(e: OpExpr, budget: number): boolean | undefined {
  const stack: OpExpr[] = [e];
  while (stack.length > 0) {
    if (--budget < 0) return undefined;
    const next = stack.pop()!;
    if (!decidedByOperands(next)) {
      if (!opRecord(next.op).scalarResult) return false;
      continue;
    }
    for (const arg of next.args) {
      if (arg.kind === 'ref') return false;
      if (arg.kind === 'op') stack.push(arg);
    }
  }
  return true;
}

/**
 * Structural equality looked at through at most `budget` node pairs; past that the answer is false
 * (an extra, harmless unbroadcast), so a rule asking at every term of a long sum stays linear.
 */
const SAME_EXPR_BUDGET = 64;
function sameExprWithin(a: Expr, b: Expr, budget: number): boolean {
  const pairs: [Expr, Expr][] = [[a, b]];
  while (pairs.length > 0) {
    const [x, y] = pairs.pop()!;
    if (x === y) continue;
    if (--budget < 0) return false;
    if (x.kind === 'ref') {
      if (y.kind !== 'ref' || x.id !== y.id) return false;
    } else if (x.kind === 'const') {
      if (y.kind !== 'const' || x.value !== y.value) return false;
    } else {
      if (y.kind !== 'op' || x.op !== y.op || x.args.length !== y.args.length) return false;
      x.args.forEach((arg, i) => pairs.push([arg, y.args[i]!]));
    }
  }
  return true;
}

/** Structural equality of two expressions. @example sameExpr(ref('x'), ref('x')) // true */
export function sameExpr(a: Expr, b: Expr): boolean {
  return sameExprWithin(a, b, Infinity);
}

/** The ids an expression reads, in order of first appearance; `valueOnly` leaves out arguments read only for their shape. @example referencedIds(expr) */
export function referencedIds(e: Expr, valueOnly = false): string[] {
  return [...idsOf(e, valueOnly)];
}

/**
 * {@link referencedIds} without the copy, so never to be changed. A large expression's answer is
 * remembered (graph checks, edges and differentiation all ask); a small one's is computed again,
 * which is cheaper than remembering it: an entry of a WeakMap keyed by a fresh object costs the
 * garbage collector microseconds.
 */
export function idsOf(e: Expr, valueOnly = false): readonly string[] {
  if (e.kind === 'ref') return [e.id];
  if (e.kind === 'const') return NO_IDS;
  const direct = directIds(e, valueOnly);
  if (direct !== undefined) return direct;
  const cache = valueOnly ? valueIdsCache : idsCache;
  const cached = cache.get(e);
  if (cached) return cached;
  walkedLarge = false;
  const order = walkIds(e, valueOnly);
  if (walkedLarge) cache.set(e, order);
  return order;
}

const NO_IDS: readonly string[] = Object.freeze([]);

/** The ids of an op over references and numbers only (most equations: `tanh(h1)`, `W x`), without a walk; undefined otherwise. */
function directIds(e: OpExpr, valueOnly: boolean): string[] | undefined {
  const order: string[] = [];
  const skip = valueOnly ? opRecord(e.op).shapeOnly : undefined;
  for (let i = 0; i < e.args.length; i++) {
    const arg = e.args[i]!;
    if (arg.kind === 'op') return undefined;
    if (arg.kind === 'ref' && !(skip && skip.includes(i)) && !order.includes(arg.id)) order.push(arg.id);
  }
  return order;
}

function walkIds(e: Expr, valueOnly: boolean): string[] {
  // Gradient expressions share subexpressions (a DAG): each is walked once, not once per path to it.
  // Small expressions (most) are checked against short arrays; sets only once they grow.
  const order: string[] = [];
  let seen: Set<string> | undefined;
  const visited: Expr[] = [];
  let visitedSet: Set<Expr> | undefined;
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.kind === 'ref') {
      if (seen ? !seen.has(next.id) : !order.includes(next.id)) {
        order.push(next.id);
        seen?.add(next.id);
        if (!seen && order.length > SMALL) seen = new Set(order);
      }
    } else if (next.kind === 'op') {
      if (visitedSet ? visitedSet.has(next) : visited.includes(next)) continue;
      if (visitedSet) visitedSet.add(next);
      else if (visited.push(next) > SMALL) {
        visitedSet = new Set(visited);
        walkedLarge = true;
      }
      const skip = valueOnly ? opRecord(next.op).shapeOnly : NO_SKIP;
      for (let i = next.args.length - 1; i >= 0; i--) if (!skip.includes(i)) stack.push(next.args[i]!);
    }
  }
  return order;
}
const SMALL = 16;
/** Whether the last walk met more than {@link SMALL} ops: its answer is worth remembering. */
let walkedLarge = false;
const NO_SKIP: readonly number[] = [];

/** Expressions are immutable: the ids a large one reads are computed once. */
const idsCache = new WeakMap<Expr, readonly string[]>();
const valueIdsCache = new WeakMap<Expr, readonly string[]>();

/**
 * Whether `e` reads any of `ids`, answered for every subexpression at once into `memo`: a walk of
 * the whole expression (each shared subexpression once), so asking at every node of a backward
 * walk stays linear. @example readsAny(expr, new Set(['W1']), new Map()).get(expr)
 */
export function readsAny(e: Expr, ids: ReadonlySet<string>, memo: Map<Expr, boolean>): Map<Expr, boolean> {
  postOrder<Expr>(
    e,
    exprOperand,
    (next) => {
      if (next.kind !== 'op') memo.set(next, next.kind === 'ref' && ids.has(next.id));
      else memo.set(next, next.args.some((arg) => memo.get(arg) === true));
    },
    (next) => !memo.has(next),
  );
  return memo;
}

/** The operands of an expression, one at a time (see {@link postOrder}). */
function exprOperand(e: Expr, index: number): Expr | undefined {
  return e.kind === 'op' ? e.args[index] : undefined;
}
