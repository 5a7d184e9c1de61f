import { type ExactTensor, type Tensor, ChainruleError, map, scalar } from '@chainrule/tensor';
import { type Expr, type OpExpr, algebra, apply } from '../expr.ts';
import { BUILTIN_DERIVED_OPS, BUILTIN_OPS } from './builtin.ts';

export { PRECEDENCE } from './precedence.ts';

/** The name of an op of the table: a primitive (`matmul`, `relu`, `relu'`) or a derived template (`softplus`). */
export type OpName = string;

/** What a gradient rule is given: the upstream gradient `dy`, the op's own expression and its arguments. */
export interface GradientInput {
  dy: Expr;
  node: OpExpr;
  args: readonly Expr[];
}

/** A gradient rule: one contribution per argument, `null` for a symbolic zero (skipped, never a tensor of zeros). */
export type GradientRule = (input: GradientInput) => readonly (Expr | null)[];

/** A printed (sub)formula and how tightly it binds. */
export interface Printed {
  readonly text: string;
  readonly precedence: number;
}

/** What an op's `print` is given to print its arguments in the current style (Unicode or LaTeX). */
export interface Printer {
  readonly latex: boolean;
  /** `−` in Unicode, `-` in LaTeX. */
  readonly minus: string;
  print(e: Expr): Printed;
  /** The text of `p`, in parentheses when it binds looser than `min`. */
  wrap(p: Printed, min: number): string;
  /** A number, with its source spelling (`1/2`) when given. */
  constant(value: number, text?: string): Printed;
  /** `name(inner)` in the current style. */
  call(name: string, inner: string): Printed;
  /** How an op (or the name a function was bound to, `f`) is written as a function name. */
  functionName(op: OpName, alias?: string): string;
}

/** How an op is written as a function: `σ` / `\sigma`, and its name in prose. */
export interface Notation {
  readonly unicode: string;
  readonly latex: string;
  /** The op in a sentence: `the ReLU`, `the logistic sigmoid`. */
  readonly prose: string;
}

/**
 * How a worked solution writes the numbers substituted into the op, entry by entry: `products`
 * (`0.4·1 + 0.5·2`), `sum` and `product` (`a + b`, `a·b` per entry), `negation`,
 * `sumOfSquares` (`7.825² + 5.93²`), `call` (`σ(2.55)`, with the op's notation), or a custom
 * `entry` writer (`max(0, 2.55)`). An op without one gets no substitution line.
 */
export type Substitution = 'products' | 'sum' | 'product' | 'negation' | 'sumOfSquares' | 'call' | { readonly entry: (value: string, latex: boolean) => string };

/** A part of the sentence that explains a gradient step: words, or a reference to a node of the step. */
export type ExplanationPart =
  | string
  /** `upstream`: ∂L/∂(the consumer); `consumer`: the node that uses the value; `operand`: the value; `definition`: the consumer's equation. */
  | { readonly node: 'upstream' | 'consumer' | 'operand' | 'definition' };

/** The derivative f′ of an element-wise function, declared in its entry; the table generates the op `f'` from it. */
export interface DerivativeSpec {
  /** f′ evaluated at the function's argument. */
  forward(t: Tensor): Tensor;
  /** The rule of f′ itself (for second derivatives); without it, differentiating f′ fails naming the op. */
  gradient?: GradientRule;
  /** f′ written with the function's value y = f(u), as students work it out by hand (σ′ = y(1 − y)); by default {@link timesFromValue} with dy = 1, where there is one. */
  fromOutput?(y: Tensor): Tensor;
  /** f′ over rationals, where it is rational (ReLU′: 0 or 1). */
  exact?: ExactForward;
  /**
   * dy ⊙ f′(u) from the value y = f(u) (σ′ = σ(1 − σ), tanh′ = 1 − tanh²) in one pass, for dy a
   * number or of y's shape: the same numbers as `forward` multiplied by dy. An evaluation that has
   * f(u) already uses it for the gradient rule's dy ⊙ f′(u) instead of computing f again.
   */
  timesFromValue?(dy: Tensor, y: Tensor): Tensor;
}

/**
 * An op's forward over rationals, for exact answer keys: the same result as `forward`, computed
 * exactly; `undefined` where the op is not exact for these arguments (a reciprocal of 0). An op
 * without one (σ, tanh, exp, log, softmax) is computed in float64 and everything after it too.
 */
export type ExactForward = (args: readonly ExactTensor[]) => ExactTensor | undefined;

/** What {@link defineOp} is given for a primitive. Only `name`, `arity`, `forward` and a way to print are required. */
export interface OpDefinition {
  readonly name: OpName;
  readonly arity: number;
  forward(args: readonly Tensor[]): Tensor;
  /**
   * The forward with arguments given untransposed: `args[i]` is the operand of a transpose where
   * `transposed[i]`. The evaluation calls it for `Wᵀ δ`, so the transpose is never materialised.
   */
  readonly forwardTransposed?: (args: readonly Tensor[], transposed: readonly boolean[]) => Tensor;
  /** The forward over rationals where the op is rational (+, ×, matrix product, ReLU, …); see {@link ExactForward}. */
  readonly exact?: ExactForward;
  /**
   * A test, cheaper than a pass over the result, that the result has no NaN and no infinity: true
   * only where it surely has none (the matrix product: from the largest entries of small operands).
   * The evaluation then skips its own pass over the value of a node that is this result.
   */
  readonly surelyFinite?: (args: readonly Tensor[], result: Tensor) => boolean;
  /** The gradient rule; for a unary element-wise op with a `derivative`, generated as `dy ⊙ f′(u)`. */
  readonly gradient?: GradientRule;
  /** Generates the primitive `name'` (printed `f′(u)`, substituted as `f′(2.55)`). */
  readonly derivative?: DerivativeSpec;
  /** Applied entry by entry (so a scalar stays a scalar). */
  readonly elementwise?: boolean;
  /** The result is a scalar whatever the argument (a reduction). */
  readonly scalarResult?: boolean;
  /** Only reshapes a value for the gradient (unbroadcast, expand): looked through when printing, substituting and drawing. */
  readonly bookkeeping?: boolean;
  /** Arguments read only for their shape: not data dependencies, not drawn as edges. */
  readonly shapeOnly?: readonly number[];
  /** How the op is written as a function. Ops without one need `print`. */
  readonly notation?: Partial<Notation>;
  /** Custom printing (operators: `+`, `⊙`, `ᵀ`, …); default: the function notation. */
  readonly print?: (e: OpExpr, printer: Printer) => Printed;
  /** Default: `call` for an element-wise op bound to a function name, none otherwise. */
  readonly substitution?: Substitution;
  /** The sentence explaining the gradient step through this op; `position` is the index of the value among the op's arguments (−1 if not a direct argument). */
  readonly explain?: (position: number) => readonly ExplanationPart[];
  /** Names that bind to the op in equations and problem files (`sigmoid`, `sigma`). */
  readonly names?: readonly string[];
  /** A layered network may use it as an activation (by its first name). */
  readonly activation?: boolean;
}

/** What {@link defineDerivedOp} is given: an expression template over primitives (it needs no gradient rule). */
export interface DerivedOpDefinition {
  readonly name: OpName;
  readonly arity: number;
  /** The op written with primitives (or other derived ops), e.g. softplus(u) = log(1 + exp(u)). */
  expand(args: readonly Expr[]): Expr;
  readonly names?: readonly string[];
  readonly activation?: boolean;
}

/** An entry of the op table, as {@link opRecord} returns it: every default filled in. */
export interface OpRecord {
  readonly name: OpName;
  readonly arity: number;
  forward(args: readonly Tensor[]): Tensor;
  readonly forwardTransposed: ((args: readonly Tensor[], transposed: readonly boolean[]) => Tensor) | undefined;
  /** The forward over rationals, undefined for an op computed in float64 only. */
  readonly exact: ExactForward | undefined;
  readonly surelyFinite: ((args: readonly Tensor[], result: Tensor) => boolean) | undefined;
  readonly gradient: GradientRule | undefined;
  readonly elementwise: boolean;
  readonly scalarResult: boolean;
  readonly bookkeeping: boolean;
  readonly shapeOnly: readonly number[];
  readonly notation: Notation;
  print(e: OpExpr, printer: Printer): Printed;
  readonly substitution: Substitution | undefined;
  explain(position: number): readonly ExplanationPart[];
  /** For a generated derivative `f'`: the op `f`. */
  readonly derivativeOf: OpName | undefined;
  /** For a generated derivative `f'` whose spec has one: f′ from the function's value (σ′ = y(1 − y)). */
  readonly fromOutput: ((y: Tensor) => Tensor) | undefined;
  /** For a generated derivative `f'`: f′ from the value of f (see {@link DerivativeSpec.timesFromValue}). */
  readonly derivativeFromValue: ((y: Tensor) => Tensor) | undefined;
  /** For a generated derivative `f'`: dy ⊙ f′ from the value of f, in one pass (see {@link DerivativeSpec.timesFromValue}). */
  readonly derivativeTimesValue: ((dy: Tensor, y: Tensor) => Tensor) | undefined;
}

const primitives = new Map<OpName, OpRecord>();
const derived = new Map<OpName, DerivedOpDefinition>();
const activations: string[] = [];

/**
 * The function names equations and problem files may bind (`f = relu`), each mapped to its op.
 * The same object grows as ops are defined; look names up with `Object.hasOwn`.
 *
 * @example
 * FUNCTIONS.sigma; // 'sigmoid'
 */
export const FUNCTIONS: Readonly<Record<string, OpName>> = Object.create(null) as Record<string, OpName>;

/** The name of the op generated from the `derivative` of `op`. @example derivativeName('relu') // "relu'" */
export const derivativeName = (op: OpName): OpName => `${op}'`;

/** dy = 1: f′ itself (1 · v is v, bit for bit). */
const ONE = scalar(1);

const GENERIC_EXPLANATION: readonly ExplanationPart[] = ['the chain rule through ', { node: 'definition' }];

function claimName(name: OpName): void {
  if (!/^[A-Za-z][\w']*$/.test(name)) throw new ChainruleError('internal', `an op name is a word, got ${JSON.stringify(name)}`);
  if (primitives.has(name) || derived.has(name)) throw new ChainruleError('internal', `the op '${name}' is defined twice`);
}

function bindNames(op: OpName, names: readonly string[] = [], activation = false): void {
  for (const name of names) {
    if (Object.hasOwn(FUNCTIONS, name)) throw new ChainruleError('internal', `the function name '${name}' binds to '${FUNCTIONS[name]}' already`);
  }
  for (const name of names) (FUNCTIONS as Record<string, OpName>)[name] = op;
  if (activation) {
    if (names.length === 0) throw new ChainruleError('internal', `the activation '${op}' needs a name to bind`);
    activations.push(names[0]!);
  }
}

/**
 * Adds a primitive to the op table — the one place that knows everything about it: forward,
 * gradient rule, derivative, printing, substitution, explanation, bound names. Declaring a
 * `derivative` also defines the primitive `name'` (f′), printed `f′(u)`.
 *
 * @example
 * defineOp({
 *   name: 'softsign', arity: 1, elementwise: true, names: ['softsign'],
 *   forward: ([u]) => map(u!, (v) => v / (1 + Math.abs(v))),
 *   derivative: { forward: (u) => map(u, (v) => 1 / (1 + Math.abs(v)) ** 2) },
 * });
 */
export function defineOp(definition: OpDefinition): OpRecord {
  claimName(definition.name);
  if (definition.derivative) claimName(derivativeName(definition.name));
  const notation: Notation = {
    unicode: definition.notation?.unicode ?? definition.name,
    latex: definition.notation?.latex ?? `\\operatorname{${definition.name}}`,
    prose: definition.notation?.prose ?? definition.name,
  };
  const elementwise = definition.elementwise ?? false;
  let gradient = definition.gradient;
  if (!gradient && definition.derivative) {
    if (definition.arity !== 1 || !elementwise) {
      throw new ChainruleError('internal', `'${definition.name}' declares a derivative, which generates a gradient rule only for a unary element-wise op: give its gradient`);
    }
    gradient = ({ dy, node, args: [u] }) => [algebra.mul(dy, apply(derivativeName(node.op), [u!], node.alias))];
  }
  const record: OpRecord = {
    name: definition.name,
    arity: definition.arity,
    forward: definition.forward,
    forwardTransposed: definition.forwardTransposed,
    exact: definition.exact,
    surelyFinite: definition.surelyFinite,
    gradient,
    elementwise,
    scalarResult: definition.scalarResult ?? false,
    bookkeeping: definition.bookkeeping ?? false,
    shapeOnly: definition.shapeOnly ?? [],
    notation,
    print: definition.print ?? ((e, p) => p.call(p.functionName(e.op, e.alias), e.args.map((a) => p.print(a).text).join(', '))),
    substitution: definition.substitution ?? (elementwise && (definition.names?.length ?? 0) > 0 ? 'call' : undefined),
    explain:
      definition.explain ??
      (definition.derivative
        ? () => ['the upstream gradient ', { node: 'upstream' }, ` multiplied element-wise by the derivative of ${notation.prose} at `, { node: 'operand' }]
        : () => GENERIC_EXPLANATION),
    derivativeOf: undefined,
    fromOutput: undefined,
    derivativeFromValue: undefined,
    derivativeTimesValue: undefined,
  };
  primitives.set(record.name, record);
  if (definition.derivative) {
    const spec = definition.derivative;
    const name = derivativeName(definition.name);
    const timesFromValue = spec.timesFromValue?.bind(spec);
    const fromValue = timesFromValue && ((y: Tensor) => timesFromValue(ONE, y));
    primitives.set(name, {
      ...record,
      name,
      forward: ([u]) => spec.forward(u!),
      forwardTransposed: undefined,
      exact: spec.exact,
      surelyFinite: undefined,
      gradient: spec.gradient,
      notation: { ...notation, prose: `the derivative of ${notation.prose}` },
      print: (e, p) => p.call(`${p.functionName(definition.name, e.alias)}'`, p.print(e.args[0]!).text),
      substitution: 'call',
      explain: () => GENERIC_EXPLANATION,
      derivativeOf: definition.name,
      fromOutput: spec.fromOutput?.bind(spec) ?? fromValue,
      derivativeFromValue: fromValue,
      derivativeTimesValue: timesFromValue,
    });
  }
  bindNames(record.name, definition.names, definition.activation);
  return record;
}

/**
 * Adds a derived op: an expression template over primitives, expanded when the graph is built,
 * so it needs no gradient rule, no printing and no substitution of its own (tinygrad's way).
 *
 * @example
 * defineDerivedOp({ name: 'softplus', arity: 1, names: ['softplus'], expand: ([u]) => apply('log', [apply('add', [constant(1), apply('exp', [u!])])]) });
 */
export function defineDerivedOp(definition: DerivedOpDefinition): void {
  claimName(definition.name);
  derived.set(definition.name, definition);
  bindNames(definition.name, definition.names, definition.activation);
}

/**
 * The table entry of a primitive; an unknown op fails loudly, naming it.
 *
 * @example
 * opRecord('matmul').arity;          // 2
 * opRecord("relu'").derivativeOf;     // 'relu'
 */
export function opRecord(op: OpName): OpRecord {
  const record = primitives.get(op);
  if (!record) {
    const hint = derived.has(op) ? ` ('${op}' is a derived op: expand it with expandOp)` : '';
    throw new ChainruleError('internal', `'${op}' is not an op of the table${hint}`);
  }
  return record;
}

/** True for a primitive or derived op of the table. @example isOp('relu') // true */
export function isOp(op: string): boolean {
  return primitives.has(op) || derived.has(op);
}

/**
 * `op` applied to `args`: a primitive as one expression, a derived op expanded into primitives.
 *
 * @example
 * expandOp('softplus', [ref('u')]); // log(1 + exp(u))
 * expandOp('relu', [ref('u')], 'f'); // f(u), the primitive with the alias it was bound to
 */
export function expandOp(op: OpName, args: readonly Expr[], alias?: string): Expr {
  const template = derived.get(op);
  if (template) return template.expand(args);
  const record = opRecord(op);
  if (args.length !== record.arity) throw new ChainruleError('internal', `'${op}' takes ${record.arity} arguments, got ${args.length}`);
  return apply(op, args, alias);
}

/** The arity of a primitive or derived op. @example opArity('softplus') // 1 */
export function opArity(op: OpName): number {
  return derived.get(op)?.arity ?? opRecord(op).arity;
}

/**
 * The names a layered network accepts as activations, from the table (`identity` is not an op).
 *
 * @example
 * activationNames(); // ['relu', 'sigmoid', 'tanh', 'softmax', 'softplus']
 */
export function activationNames(): readonly string[] {
  return [...activations];
}

/**
 * The expression without bookkeeping wrappers (unbroadcast, expand), which only reshape a value
 * for the gradient: what printing, substitution and drawings show.
 *
 * @example
 * lookThrough(apply('unbroadcast', [ref('g'), ref('b')])); // ref('g')
 */
export function lookThrough(e: Expr): Expr {
  let current = e;
  while (current.kind === 'op' && primitives.get(current.op)?.bookkeeping) current = current.args[0]!;
  return current;
}

/** The forward of an element-wise unary op from a scalar function. @example mapForward(Math.exp)([tensor([0])]) // [1] */
export const mapForward =
  (f: (v: number) => number) =>
  ([u]: readonly Tensor[]): Tensor =>
    map(u!, f);

// The built-in table, registered when the registry loads (no import is needed for its side effect).
for (const definition of BUILTIN_OPS) defineOp(definition);
for (const definition of BUILTIN_DERIVED_OPS) defineDerivedOp(definition);
