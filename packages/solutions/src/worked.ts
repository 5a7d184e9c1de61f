import { type Graph, evaluateExact, formatExpr, nodeLabel } from '@chainrule/graph';
import { type SolvedProblem } from '@chainrule/problem';
import type { Tensor } from '@chainrule/tensor';
import { type MathText, substitution } from './substitute.ts';

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
  /** The exact result. */
  exact: Tensor;
  /** The result when every intermediate value is rounded (only in a rounding worked solution). */
  rounded?: Tensor;
  /** The substitution with the rounded inputs (what the student following the rounding path writes). */
  roundedSubstitution?: MathText;
  /** max |exact − rounded| over the entries, and where. */
  deviation?: { value: number; index: number };
  /** The line of the equation in the problem, for forward steps. */
  line?: number;
}

/** Options of {@link workedSteps}. */
export interface WorkedOptions {
  /** Also compute the path of a student who rounds every intermediate result to this many decimals. */
  round?: number;
  /** The same problem already solved with `round` (its values are reused instead of evaluated again). */
  roundedSolution?: SolvedProblem;
  /** Decimals shown in substitutions of exact numbers (default 4). */
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
  const steps: WorkedStep[] = [];
  for (const node of graph.nodes) {
    if (!node.expression) continue;
    const exact = solved.values.get(node.id)!;
    const step: WorkedStep = {
      id: node.id,
      name: { unicode: nodeLabel(graph, node.id), latex: nodeLabel(graph, node.id, 'latex') },
      phase: node.added ? 'backward' : 'forward',
      formula: { unicode: formatExpr(node.expression, graph), latex: formatExpr(node.expression, graph, 'latex') },
      exact,
    };
    const shown = substitution(node.expression, graph, solved.values, { decimals });
    if (shown) step.substitution = shown;
    if (node.equation) step.line = node.equation.line;
    if (rounded && options.round !== undefined) {
      const value = rounded.get(node.id)!;
      step.rounded = value;
      const roundedShown = substitution(node.expression, graph, rounded, { decimals: options.round });
      if (roundedShown) step.roundedSubstitution = roundedShown;
      let worst = { value: 0, index: 0 };
      // Exact where both paths are (0.005, not 0.004999999999999893).
      const exactValue = solved.exact.get(node.id);
      const exactRounded = roundedPath!.exact.get(node.id);
      for (let i = 0; i < exact.size; i++) {
        const difference =
          exactValue && exactRounded ? Math.abs(exactValue.data[i]!.sub(exactRounded.data[i]!).toNumber()) : Math.abs(exact.data[i]! - value.data[i]!);
        if (difference > worst.value) worst = { value: difference, index: i };
      }
      step.deviation = worst;
    }
    steps.push(step);
  }
  return steps;
}
