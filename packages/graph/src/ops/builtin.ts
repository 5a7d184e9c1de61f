import {
  type ExactTensor,
  Rational,
  type Tensor,
  ShapeError,
  add,
  broadcastTo,
  div,
  exactBroadcastTo,
  exactMap,
  exactMatmul,
  exactSum,
  exactSumToShape,
  exactTranspose,
  exactZip,
  exp,
  fromFlat,
  log,
  matmul,
  maxAbs,
  mul,
  neg,
  relu,
  scalar,
  sigmoid,
  softmax,
  squaredNorm,
  sum,
  sameShape,
  sumToShape,
  takeBuffer,
  tanh,
  transpose,
} from '@chainrule/tensor';
import { type Expr, algebra, apply, constant } from '../expr.ts';
import { PRECEDENCE } from './precedence.ts';
import type { DerivedOpDefinition, ExplanationPart, OpDefinition } from './registry.ts';

const { SUM, PRODUCT, UNARY, POSTFIX, ATOM } = PRECEDENCE;
// Read at call time, not destructured here: this module is loaded while expr.ts may still be loading.
const times = (a: Expr | null, b: Expr | null) => algebra.mul(a, b);
const negate = (a: Expr | null) => algebra.neg(a);
const minus = (a: Expr | null, b: Expr | null) => algebra.sub(a, b);
const product = (a: Expr | null, b: Expr | null) => algebra.matmul(a, b);
const flip = (a: Expr | null) => algebra.transpose(a);
const unbroadcast = (g: Expr | null, like: Expr) => algebra.unbroadcast(g, like);
const expand = (g: Expr | null, like: Expr) => algebra.expand(g, like);
const recip = (a: Expr) => algebra.recip(a);

const upstream = { node: 'upstream' } as const;
const consumer = { node: 'consumer' } as const;
const operand = { node: 'operand' } as const;

const activationStep = (suffix = ''): readonly ExplanationPart[] => [
  'the upstream gradient ',
  upstream,
  ' multiplied element-wise by the derivative of the activation at ',
  operand,
  ...(suffix ? [suffix] : []),
];

// dy ⊙ f′ from y = f(u), entry by entry: dy is a number (stride 0) or of y's shape. One loop per
// derivative on purpose: a shared loop calling f′ as a function is not inlined by V8 (see ops.ts).
const strideOf = (dy: Tensor, y: Tensor): number => {
  if (dy.rank !== 0 && !sameShape(dy.shape, y.shape)) throw new ShapeError('mul', [dy.shape, y.shape], 'the upstream gradient has the shape of the value');
  return dy.rank === 0 ? 0 : 1;
};

/** dy ⊙ σ′ from s = σ(u): dy · s (1 − s). */
function timesSigmoidDerivative(dy: Tensor, s: Tensor): Tensor {
  const stride = strideOf(dy, s);
  const g = dy.data;
  const d = s.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = g[i * stride]! * (d[i]! * (1 - d[i]!));
  return fromFlat(out, s.shape);
}

/** dy ⊙ tanh′ from t = tanh(u): dy · (1 − t²). */
function timesTanhDerivative(dy: Tensor, t: Tensor): Tensor {
  const stride = strideOf(dy, t);
  const g = dy.data;
  const d = t.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = g[i * stride]! * (1 - d[i]! * d[i]!);
  return fromFlat(out, t.shape);
}

/** dy ⊙ ReLU′ from u or from y = relu(u) (both are positive where the other is): dy · (1 or 0). */
function timesStep(dy: Tensor, u: Tensor): Tensor {
  const stride = strideOf(dy, u);
  const g = dy.data;
  const d = u.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = g[i * stride]! * (d[i]! > 0 ? 1 : 0);
  return fromFlat(out, u.shape);
}

const ONE = scalar(1);

const unaryForward = (f: (t: Tensor) => Tensor) => ([u]: readonly Tensor[]) => f(u!);
const unaryExact = (f: (t: ExactTensor) => ExactTensor | undefined) => ([u]: readonly ExactTensor[]) => f(u!);
const positive = (r: Rational) => r.sign() > 0;

/**
 * The primitives of chainrule, each with everything known about it. The order is the order of
 * the bound function names in messages and schemas.
 */
export const BUILTIN_OPS: readonly OpDefinition[] = [
  {
    name: 'add',
    arity: 2,
    elementwise: true,
    forward: ([a, b]) => add(a!, b!),
    exact: ([a, b]) => exactZip('add', a!, b!, (p, q) => p.add(q)),
    gradient: ({ dy, args: [a, b] }) => [unbroadcast(dy, a!), unbroadcast(dy, b!)],
    print: (e, p) => {
      const [a, b] = e.args as [Expr, Expr];
      const left = p.wrap(p.print(a), SUM);
      if (b.kind === 'op' && b.op === 'neg') return { text: `${left} ${p.minus} ${p.wrap(p.print(b.args[0]!), PRODUCT)}`, precedence: SUM };
      if (b.kind === 'const' && b.value < 0) return { text: `${left} ${p.minus} ${p.constant(-b.value).text}`, precedence: SUM };
      return { text: `${left} + ${p.wrap(p.print(b), SUM)}`, precedence: SUM };
    },
    substitution: 'sum',
    explain: () => [consumer, ' adds ', operand, ', so the gradient ', upstream, ' passes through unchanged'],
  },

  {
    name: 'neg',
    arity: 1,
    elementwise: true,
    forward: unaryForward(neg),
    exact: unaryExact((a) => exactMap(a, (r) => r.neg())),
    gradient: ({ dy }) => [negate(dy)],
    print: (e, p) => ({ text: `${p.minus}${p.wrap(p.print(e.args[0]!), UNARY + 1)}`, precedence: UNARY }),
    substitution: 'negation',
  },

  {
    name: 'mul',
    arity: 2,
    elementwise: true,
    forward: ([a, b]) => mul(a!, b!),
    exact: ([a, b]) => exactZip('mul', a!, b!, (p, q) => p.mul(q)),
    gradient: ({ dy, args: [a, b] }) => [unbroadcast(times(dy, b!), a!), unbroadcast(times(dy, a!), b!)],
    print: (e, p) => {
      const [a, b] = e.args as [Expr, Expr];
      if (b.kind === 'op' && b.op === 'recip') {
        if (p.latex) return { text: `\\frac{${p.print(a).text}}{${p.print(b.args[0]!).text}}`, precedence: ATOM };
        return { text: `${p.wrap(p.print(a), PRODUCT)} / ${p.wrap(p.print(b.args[0]!), POSTFIX)}`, precedence: PRODUCT };
      }
      if (a.kind === 'const') return { text: `${p.wrap(p.print(a), POSTFIX)}${p.latex ? '\\,' : ' '}${p.wrap(p.print(b), POSTFIX)}`, precedence: PRODUCT };
      if (b === a) return { text: `${p.wrap(p.print(a), ATOM)}${p.latex ? '^{2}' : '²'}`, precedence: POSTFIX };
      return { text: `${p.wrap(p.print(a), PRODUCT)} ${p.latex ? '\\odot' : '⊙'} ${p.wrap(p.print(b), POSTFIX)}`, precedence: PRODUCT };
    },
    substitution: 'product',
  },

  {
    name: 'recip',
    arity: 1,
    elementwise: true,
    forward: unaryForward((a) => div(1, a)),
    exact: unaryExact((a) => exactMap(a, (r) => r.recip())),
    gradient: ({ dy, node }) => [negate(times(dy, times(node, node)))],
    print: (e, p) => {
      const inner = p.print(e.args[0]!);
      return p.latex ? { text: `\\frac{1}{${inner.text}}`, precedence: ATOM } : { text: `1/${p.wrap(inner, ATOM)}`, precedence: PRODUCT };
    },
  },

  {
    name: 'matmul',
    arity: 2,
    forward: ([a, b]) => matmul(a!, b!),
    forwardTransposed: ([a, b], [ta, tb]) => matmul(a!, b!, { a: ta, b: tb }),
    exact: ([a, b]) => exactMatmul(a!, b!),
    // |(A B)ᵢⱼ| ≤ k · max|A| · max|B|, and k is at most the size of either operand: below 2¹⁰⁰⁰ no
    // rounding takes a sum of products past the largest double (2¹⁰²⁴). Asked only of operands
    // smaller than the result (an outer product), where it is cheaper than a pass over the result.
    surelyFinite: ([a, b], result) => a!.size + b!.size < result.size && maxAbs(a!) * maxAbs(b!) * Math.min(a!.size, b!.size) < 2 ** 1000,
    gradient: ({ dy, args: [a, b] }) => [unbroadcast(product(dy, flip(b!)), a!), unbroadcast(product(flip(a!), dy), b!)],
    print: (e, p) => ({ text: `${p.wrap(p.print(e.args[0]!), POSTFIX)}${p.latex ? '\\,' : ' '}${p.wrap(p.print(e.args[1]!), POSTFIX)}`, precedence: PRODUCT }),
    substitution: 'products',
    explain: (position) =>
      position === 0
        ? ['the outer product of the upstream gradient ', upstream, ' with the transposed right factor of ', consumer]
        : ['the upstream gradient ', upstream, ' sent back through the transposed left factor of ', consumer],
  },

  {
    name: 'transpose',
    arity: 1,
    forward: unaryForward(transpose),
    exact: unaryExact(exactTranspose),
    gradient: ({ dy, args: [a] }) => [unbroadcast(flip(dy), a!)],
    print: (e, p) => ({ text: `${p.wrap(p.print(e.args[0]!), ATOM)}${p.latex ? '^{\\top}' : 'ᵀ'}`, precedence: POSTFIX }),
  },

  {
    name: 'squaredNorm',
    arity: 1,
    scalarResult: true,
    forward: unaryForward(squaredNorm),
    exact: unaryExact((a) => exactSum({ shape: a.shape, data: a.data.map((r) => r.mul(r)) })),
    gradient: ({ dy, args: [a] }) => [times(constant(2), times(dy, a!))],
    print: (e, p) =>
      p.latex
        ? { text: `\\left\\| ${p.print(e.args[0]!).text} \\right\\|^{2}`, precedence: ATOM }
        : { text: `‖${p.print(e.args[0]!).text}‖²`, precedence: ATOM },
    substitution: 'sumOfSquares',
    explain: () => ['the derivative of the squared norm in ', consumer, ': the residual'],
  },

  {
    name: 'relu',
    arity: 1,
    elementwise: true,
    names: ['relu'],
    activation: true,
    notation: { prose: 'the ReLU' },
    forward: unaryForward(relu),
    exact: unaryExact((a) => exactMap(a, (r) => (positive(r) ? r : Rational.ZERO))),
    // The subgradient at 0 is taken as 0, as in PyTorch and TensorFlow.
    derivative: {
      forward: (u) => timesStep(ONE, u),
      timesFromValue: timesStep,
      exact: unaryExact((a) => exactMap(a, (r) => (positive(r) ? Rational.ONE : Rational.ZERO))),
      gradient: () => [null],
    },
    substitution: { entry: (value, latex) => (latex ? `\\max(0, ${value})` : `max(0, ${value})`) },
    explain: () => activationStep(' (1 where it is positive, else 0)'),
  },

  {
    name: 'sigmoid',
    arity: 1,
    elementwise: true,
    names: ['sigmoid', 'sigma'],
    activation: true,
    notation: { unicode: 'σ', latex: '\\sigma', prose: 'the logistic sigmoid' },
    forward: unaryForward(sigmoid),
    derivative: {
      forward: (u) => timesSigmoidDerivative(ONE, sigmoid(u)),
      timesFromValue: timesSigmoidDerivative,
      // σ'' = σ'(1 − 2σ)
      gradient: ({ dy, node, args: [a] }) => [times(dy, times(node, minus(constant(1), times(constant(2), apply('sigmoid', [a!], node.alias)))))],
    },
    explain: () => activationStep(),
  },

  {
    name: 'tanh',
    arity: 1,
    elementwise: true,
    names: ['tanh'],
    activation: true,
    notation: { latex: '\\tanh', prose: 'the hyperbolic tangent' },
    forward: unaryForward(tanh),
    derivative: {
      forward: (u) => timesTanhDerivative(ONE, tanh(u)),
      timesFromValue: timesTanhDerivative,
      // tanh'' = −2 tanh · tanh'
      gradient: ({ dy, node, args: [a] }) => [times(dy, times(constant(-2), times(apply('tanh', [a!], node.alias), node)))],
    },
    explain: () => activationStep(),
  },

  {
    name: 'softmax',
    arity: 1,
    names: ['softmax'],
    activation: true,
    notation: { prose: 'the softmax' },
    forward: unaryForward((a) => {
      if (a.rank !== 1) throw new ShapeError('softmax', [a.shape], 'softmax in a graph takes a vector');
      return softmax(a);
    }),
    // J·dy for J = diag(s) − s sᵀ: s ⊙ (dy − sum(dy ⊙ s))
    gradient: ({ dy, node }) => [times(node, minus(dy, apply('sum', [times(dy, node)!])))],
  },

  {
    name: 'exp',
    arity: 1,
    elementwise: true,
    names: ['exp'],
    notation: { latex: '\\exp', prose: 'the exponential' },
    forward: unaryForward(exp),
    gradient: ({ dy, node }) => [times(dy, node)],
  },

  {
    name: 'log',
    arity: 1,
    elementwise: true,
    names: ['log', 'ln'],
    notation: { latex: '\\log', prose: 'the natural logarithm' },
    forward: unaryForward(log),
    gradient: ({ dy, args: [a] }) => [times(dy, recip(a!))],
  },

  {
    name: 'sum',
    arity: 1,
    scalarResult: true,
    names: ['sum'],
    notation: { prose: 'the sum of the entries' },
    forward: unaryForward(sum),
    exact: unaryExact(exactSum),
    gradient: ({ dy, args: [a] }) => [expand(dy, a!)],
  },

  {
    // The number of entries of its argument, read only for its shape: the n of a mean.
    name: 'size',
    arity: 1,
    scalarResult: true,
    shapeOnly: [0],
    notation: { prose: 'the number of entries' },
    forward: unaryForward((a) => scalar(a.size)),
    exact: unaryExact((a) => ({ shape: [], data: [Rational.of(BigInt(a.data.length))] })),
    gradient: () => [null],
  },

  {
    name: 'unbroadcast',
    arity: 2,
    bookkeeping: true,
    shapeOnly: [1],
    forward: ([g, like]) => sumToShape(g!, like!.shape),
    exact: ([g, like]) => exactSumToShape(g!, like!.shape),
    gradient: ({ dy, args: [g] }) => [expand(dy, g!), null],
    // Summing to the operand's shape is bookkeeping, not part of the textbook formula.
    print: (e, p) => p.print(e.args[0]!),
  },

  {
    name: 'expand',
    arity: 2,
    bookkeeping: true,
    shapeOnly: [1],
    forward: ([g, like]) => broadcastTo(g!, like!.shape),
    exact: ([g, like]) => exactBroadcastTo(g!, like!.shape),
    gradient: ({ dy, args: [g] }) => [unbroadcast(dy, g!), null],
    print: (e, p) => p.print(e.args[0]!),
  },
];

// ─── Derived ops: templates over the primitives; they need no gradient rule ─────────────────────

const isConst = (e: Expr): e is Extract<Expr, { kind: 'const' }> => e.kind === 'const';

/** The derived ops: templates over the primitives, which need no gradient rule. */
export const BUILTIN_DERIVED_OPS: readonly DerivedOpDefinition[] = [
  /** a − b = a + (−b); a number is negated right away. */
  {
    name: 'sub',
    arity: 2,
    expand: ([a, b]) => {
      const subtrahend = b!;
      return apply('add', [a!, isConst(subtrahend) ? constant(-subtrahend.value) : apply('neg', [subtrahend])]);
    },
  },

  /** a / b = a · (1/b); for a number the reciprocal keeps its spelling (`1/2`). */
  {
    name: 'div',
    arity: 2,
    expand: ([a, b]) => {
      const divisor = b!;
      return apply('mul', [a!, isConst(divisor) ? constant(1 / divisor.value, `1/${divisor.text ?? divisor.value}`) : apply('recip', [divisor])]);
    },
  },

  /** u² = u ⊙ u (element-wise). */
  { name: 'square', arity: 1, expand: ([u]) => apply('mul', [u!, u!]) },

  /** softplus(u) = log(1 + exp(u)), the smooth ReLU. */
  {
    name: 'softplus',
    arity: 1,
    names: ['softplus'],
    activation: true,
    expand: ([u]) => apply('log', [apply('add', [constant(1), apply('exp', [u!])])]),
  },

  /** mean(u) = sum(u) / size(u). */
  {
    name: 'mean',
    arity: 1,
    names: ['mean'],
    expand: ([u]) => apply('mul', [apply('sum', [u!]), apply('recip', [apply('size', [u!])])]),
  },

  /** mse(y, ŷ) = mean((y − ŷ)²), the mean squared error. */
  {
    name: 'mse',
    arity: 2,
    names: ['mse'],
    expand: ([y, target]) => {
      const residual = apply('add', [y!, apply('neg', [target!])]);
      return apply('mul', [apply('sum', [apply('mul', [residual, residual])]), apply('recip', [apply('size', [residual])])]);
    },
  },
];
