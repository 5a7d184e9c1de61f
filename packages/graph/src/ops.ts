import {
  type Tensor,
  ShapeError,
  add,
  div,
  exp,
  full,
  log,
  matmul,
  mul,
  neg,
  relu,
  reluStep,
  sigmoid,
  sigmoidDerivative,
  softmax,
  squaredNorm,
  sum,
  sumToShape,
  tanh,
  tanhDerivative,
  transpose,
} from '@chainrule/tensor';
import { type Expr, type OpExpr, algebra, apply, constant } from './expr.ts';

/** The name of a primitive op. */
export type OpName =
  | 'add'
  | 'neg'
  | 'mul'
  | 'recip'
  | 'matmul'
  | 'transpose'
  | 'squaredNorm'
  | 'sum'
  | 'exp'
  | 'log'
  | 'relu'
  | 'reluStep'
  | 'sigmoid'
  | 'sigmoidDerivative'
  | 'tanh'
  | 'tanhDerivative'
  | 'softmax'
  | 'unbroadcast'
  | 'expand';

/** What a gradient rule is given: the upstream gradient `dy`, the op's own expression and its arguments. */
export interface GradientInput {
  dy: Expr;
  node: OpExpr;
  args: readonly Expr[];
}

/**
 * One primitive: its forward computation and, right beside it, its gradient rule. The rule returns
 * one expression per argument (the contribution to that argument's gradient), or `null` for a
 * symbolic zero. Rules build new graph, never numbers.
 */
export interface OpDefinition {
  readonly arity: number;
  forward(args: readonly Tensor[]): Tensor;
  gradient(input: GradientInput): readonly (Expr | null)[];
  /** Arguments read only for their shape: they are not data dependencies and are not drawn as edges. */
  readonly shapeOnly?: readonly number[];
}

const { add: plus, mul: times, neg: negate, sub: minus, matmul: product, transpose: flip, unbroadcast, expand, recip } = algebra;

/** Matrix product with column-vector semantics: a vector is an n×1 column, so `W x` is a vector and `u vᵀ` a matrix. */
function columnMatmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError('matmul', [a.shape, b.shape], 'a scalar in a matrix product: write `a * x` to scale');
  }
  const left = a.rank === 1 ? a.reshape([a.size, 1]) : a;
  const right = b.rank === 1 ? b.reshape([b.size, 1]) : b;
  if (left.shape[1] !== right.shape[0]) throw new ShapeError('matmul', [a.shape, b.shape], `inner dimensions ${left.shape[1]} and ${right.shape[0]} differ`);
  const result = matmul(left, right);
  return b.rank === 1 ? result.reshape([result.shape[0]!]) : result;
}

/** The transpose; a (column) vector becomes a 1×n row. */
function columnTranspose(a: Tensor): Tensor {
  return a.rank === 1 ? a.reshape([1, a.size]) : transpose(a);
}

/**
 * Element-wise ops see a vector as a column, as the rest of the graph does: next to a matrix,
 * `[n]` is `[n, 1]`, so a bias `b` adds to every column of a batch `W X` (one example per column).
 */
function asColumns(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (a.rank === 1 && b.rank === 2) return [a.reshape([a.size, 1]), b];
  if (a.rank === 2 && b.rank === 1) return [a, b.reshape([b.size, 1])];
  return [a, b];
}

const columnShape = (t: Tensor) => (t.rank === 1 ? [t.size, 1] : t.shape);

/** `g` brought to the shape of `like`: summed over broadcast axes, or reshaped when only the vector/matrix form differs. */
function sumToShapeOf(g: Tensor, like: Tensor): Tensor {
  if (g.size === like.size) return g.shape.length === like.shape.length && g.shape.every((e, i) => e === like.shape[i]) ? g : g.reshape(like.shape);
  if (g.rank === 2 && like.rank === 1) return sumToShape(g, columnShape(like)).reshape(like.shape);
  return sumToShape(g, like.shape);
}

function expandToShapeOf(g: Tensor, like: Tensor): Tensor {
  if (g.size === like.size) return g.reshape(like.shape);
  return add(full(like.shape, 0), g.rank === 1 && like.rank === 2 ? g.reshape(columnShape(g)) : g);
}

function unary(forward: (t: Tensor) => Tensor, gradient: (input: GradientInput) => Expr | null): OpDefinition {
  return { arity: 1, forward: ([a]) => forward(a!), gradient: (input) => [gradient(input)] };
}

const derivative = (op: OpName, node: OpExpr, arg: Expr): Expr => apply(op, [arg], node.alias);

/** The op vocabulary of chainrule: every primitive, its forward and its gradient rule. */
export const OPS: Readonly<Record<OpName, OpDefinition>> = {
  add: {
    arity: 2,
    forward: ([a, b]) => add(...asColumns(a!, b!)),
    gradient: ({ dy, args: [a, b] }) => [unbroadcast(dy, a!), unbroadcast(dy, b!)],
  },
  neg: unary(neg, ({ dy }) => negate(dy)),
  mul: {
    arity: 2,
    forward: ([a, b]) => mul(...asColumns(a!, b!)),
    gradient: ({ dy, args: [a, b] }) => [unbroadcast(times(dy, b!), a!), unbroadcast(times(dy, a!), b!)],
  },
  recip: unary((a) => div(1, a), ({ dy, node }) => negate(times(dy, times(node, node)))),
  matmul: {
    arity: 2,
    forward: ([a, b]) => columnMatmul(a!, b!),
    gradient: ({ dy, args: [a, b] }) => [unbroadcast(product(dy, flip(b!)), a!), unbroadcast(product(flip(a!), dy), b!)],
  },
  transpose: unary(columnTranspose, ({ dy, args: [a] }) => unbroadcast(flip(dy), a!)),
  squaredNorm: unary(squaredNorm, ({ dy, args: [a] }) => times(constant(2), times(dy, a!))),
  sum: unary(sum, ({ dy, args: [a] }) => expand(dy, a!)),
  exp: unary(exp, ({ dy, node }) => times(dy, node)),
  log: unary(log, ({ dy, args: [a] }) => times(dy, recip(a!))),
  relu: unary(relu, ({ dy, node, args: [a] }) => times(dy, derivative('reluStep', node, a!))),
  reluStep: unary(reluStep, () => null),
  sigmoid: unary(sigmoid, ({ dy, node, args: [a] }) => times(dy, derivative('sigmoidDerivative', node, a!))),
  // σ'' = σ'(1 − 2σ)
  sigmoidDerivative: unary(sigmoidDerivative, ({ dy, node, args: [a] }) =>
    times(dy, times(node, minus(constant(1), times(constant(2), apply('sigmoid', [a!], node.alias))))),
  ),
  tanh: unary(tanh, ({ dy, node, args: [a] }) => times(dy, derivative('tanhDerivative', node, a!))),
  // tanh'' = −2 tanh · tanh'
  tanhDerivative: unary(tanhDerivative, ({ dy, node, args: [a] }) =>
    times(dy, times(constant(-2), times(apply('tanh', [a!], node.alias), node))),
  ),
  softmax: unary(
    (a) => {
      if (a.rank !== 1) throw new ShapeError('softmax', [a.shape], 'softmax in a graph takes a vector');
      return softmax(a);
    },
    // J·dy for J = diag(s) − s sᵀ: s ⊙ (dy − sum(dy ⊙ s))
    ({ dy, node }) => times(node, minus(dy, apply('sum', [times(dy, node)!]))),
  ),
  unbroadcast: {
    arity: 2,
    forward: ([g, like]) => sumToShapeOf(g!, like!),
    gradient: ({ dy, args: [g] }) => [expand(dy, g!), null],
    shapeOnly: [1],
  },
  expand: {
    arity: 2,
    forward: ([g, like]) => expandToShapeOf(g!, like!),
    gradient: ({ dy, args: [g] }) => [unbroadcast(dy, g!), null],
    shapeOnly: [1],
  },
};


/** The functions a problem may bind a name to (`f = relu`), mapped to their op. */
export const FUNCTIONS = {
  relu: 'relu',
  sigmoid: 'sigmoid',
  sigma: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  exp: 'exp',
  log: 'log',
  ln: 'log',
  sum: 'sum',
} as const satisfies Record<string, OpName>;

/** A function name accepted in equations and in a problem's `functions`. */
export type FunctionName = keyof typeof FUNCTIONS;

/** @example opDefinition('matmul').arity // 2 */
export function opDefinition(op: OpName): OpDefinition {
  return OPS[op];
}

/** Indices of arguments an op reads only for their shape. @example shapeOnlyArgs('unbroadcast') // [1] */
export function shapeOnlyArgs(op: OpName): readonly number[] {
  return OPS[op].shapeOnly ?? [];
}
