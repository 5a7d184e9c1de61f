import { type Graph, type InexactNode, evaluateExact, formatExpr, nodeLabel, opRecord } from '@chainrule/graph';
import { type SolvedProblem } from '@chainrule/problem';
import { type ExactTensor, Rational, type Tensor } from '@chainrule/tensor';
import { type MathText, isInnerProduct, substitution } from './substitute.ts';

/** One line of a worked solution: the formula, the numbers substituted, the result. */
export interface WorkedStep {
  id: string;
  /** The node's name, e.g. `u1` or `∂L/∂W3`. */
  name: MathText;
  phase: 'forward' | 'backward';
  /** The right-hand side as a formula: `W1 x`. */
  formula: MathText;
  /** The numbers substituted, entry by entry (absent where it would not help). */
  substitution?: MathText;
  /** The result: the nearest double of the exact value, or the float64 value where it is not exact. */
  exact: Tensor;
  /** The exact (rational) result, where every op on the way is rational. */
  exactValue?: ExactTensor;
  /**
   * Where the result is float64, not exact: `op` — this step applies an op that is not rational
   * (σ, tanh, exp, log, softmax; `ops` names them in the sheet's notation, `σ`, `σ′`) to exact
   * values, so float64 takes over here; `input` — it reads float64 values; `limit` — exact
   * arithmetic was too expensive for the problem.
   */
  float64?: {
    reason: InexactNode['reason'];
    ops: MathText[];
    /** The sentence the solution prints at this step: where float64 takes over (the first float64 step), and at each later step that applies an op that is not rational. */
    note?: MathText;
  };
  /** The result when every intermediate value is rounded (only in a rounding worked solution). */
  rounded?: Tensor;
  /** The substitution with the rounded inputs (what the student following the rounding path writes). */
  roundedSubstitution?: MathText;
  /** max |exact − rounded| over the entries, and where (`exact`: the difference as a rational, where both paths are exact). */
  deviation?: { value: number; index: number; exact?: Rational };
  /** The line of the equation in the problem, for forward steps. */
  line?: number;
}

/** Options of {@link workedSteps}. */
export interface WorkedOptions {
  /** Also compute the path of a student who rounds every intermediate result to this many decimals. */
  round?: number;
  /** The same problem already solved with `round` (its values are reused instead of evaluated again). */
  roundedSolution?: SolvedProblem;
  /** Places of float64 numbers (σ, tanh, … and what follows them; default 4). Exact numbers are written exactly. */
  decimals?: number;
}

/**
 * Every forward and backward step of a solved problem, in the order a student computes them:
 * the forward pass in topological order, then the gradient nodes from the loss backwards.
 *
 * @example
 * const steps = workedSteps(solveProblem(problem), { round: 2 });
 * steps[0].name.unicode;        // 'u1'
 * steps[0].substitution?.unicode; // '[0.4·1 + 0.5·2 + …, …]'
 */
export function workedSteps(solved: SolvedProblem, options: WorkedOptions = {}): WorkedStep[] {
  const graph: Graph = solved.gradientGraph;
  const decimals = options.decimals ?? 4;
  const roundedPath =
    options.round === undefined ? undefined : (options.roundedSolution ?? evaluateExact(graph, solved.problem.values, { round: options.round }));
  const rounded = roundedPath?.values;
  const inexact = new Map(solved.inexact.map((n) => [n.id, n]));
  let floatStarted = false;
  const steps: WorkedStep[] = [];
  for (const node of graph.nodes) {
    if (!node.expression) continue;
    // A 1-entry quadratic form (y − ŷ)ᵀ(y − ŷ) is written as the number it is.
    const scalar = solved.values.get(node.id)!.size === 1 && isInnerProduct(node.expression, solved.values);
    const asShown = (t: Tensor): Tensor => (scalar ? t.reshape([]) : t);
    const exact = asShown(solved.values.get(node.id)!);
    const step: WorkedStep = {
      id: node.id,
      name: { unicode: nodeLabel(graph, node.id), latex: nodeLabel(graph, node.id, 'latex') },
      phase: node.gradient ? 'backward' : 'forward',
      formula: { unicode: formatExpr(node.expression, graph), latex: formatExpr(node.expression, graph, 'latex') },
      exact,
    };
    const exactValue = solved.exact.get(node.id);
    if (exactValue) step.exactValue = scalar ? { shape: [], data: exactValue.data } : exactValue;
    const float = inexact.get(node.id);
    if (float) {
      const ops = float.ops.map(opSymbol);
      const note = float.reason === 'input' || (floatStarted && float.reason === 'limit') ? undefined : float64Note(ops, decimals, !floatStarted);
      floatStarted = true;
      step.float64 = { reason: float.reason, ops, ...(note ? { note } : {}) };
    }
    const shown = substitution(node.expression, graph, solved.values, { decimals, exact: solved.exact });
    if (shown) step.substitution = shown;
    if (node.equation) step.line = node.equation.line;
    if (rounded && options.round !== undefined) {
      const value = asShown(rounded.get(node.id)!);
      step.rounded = value;
      // Every value of the rounding path is a decimal with at most `round` places (or a given number): all exact.
      const roundedShown = substitution(node.expression, graph, rounded, { decimals: options.round, exact: roundedPath!.exact });
      if (roundedShown) step.roundedSubstitution = roundedShown;
      let worst: { value: number; index: number; exact?: Rational } = { value: 0, index: 0 };
      // Exact where both paths are (0.005, not 0.004999999999999893).
      const exactRounded = roundedPath!.exact.get(node.id);
      for (let i = 0; i < exact.size; i++) {
        const exactDifference = exactValue && exactRounded ? exactValue.data[i]!.sub(exactRounded.data[i]!) : undefined;
        const magnitude = exactDifference && exactDifference.sign() < 0 ? exactDifference.neg() : exactDifference;
        const difference = magnitude ? magnitude.toNumber() : Math.abs(exact.data[i]! - value.data[i]!);
        if (difference > worst.value) worst = { value: difference, index: i, ...(magnitude ? { exact: magnitude } : {}) };
      }
      step.deviation = worst;
    }
    steps.push(step);
  }
  return steps;
}

/** An op as the sheet writes it: `σ`, a derivative `σ′`. */
function opSymbol(op: string): MathText {
  const record = opRecord(op);
  const base = record.derivativeOf ? opRecord(record.derivativeOf).notation : record.notation;
  return record.derivativeOf ? { unicode: `${base.unicode}′`, latex: `${base.latex}'` } : { unicode: base.unicode, latex: base.latex };
}

/**
 * `float64 from here: σ is not a rational operation (values shown to 4 d.p.)` at the first float64
 * step; `σ′ in float64 (not a rational operation)` where a later step applies one; for the limit,
 * that exact arithmetic would be too long.
 */
function float64Note(ops: readonly MathText[], decimals: number, first: boolean): MathText {
  const shown = `(values shown to ${decimals} d.p.)`;
  if (ops.length === 0) {
    const why = 'exact arithmetic would be too long for this problem';
    return { unicode: `float64 from here: ${why} ${shown}`, latex: `\\text{float64 from here: ${why} ${shown}}` };
  }
  const join = (names: string[]) => (names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);
  const names = { unicode: join(ops.map((o) => o.unicode)), latex: join(ops.map((o) => `$${o.latex}$`)) };
  const sentence = (name: string) =>
    first
      ? `float64 from here: ${name} ${ops.length === 1 ? 'is not a rational operation' : 'are not rational operations'} ${shown}`
      : `${name} in float64 (not ${ops.length === 1 ? 'a rational operation' : 'rational operations'})`;
  return { unicode: sentence(names.unicode), latex: `\\text{${sentence(names.latex)}}` };
}
