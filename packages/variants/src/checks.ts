import { ChainruleError, evaluate, evaluateExpr } from '@chainrule/graph';
import type { Problem } from '@chainrule/problem';
import type { Tensor } from '@chainrule/tensor';
import type { ConstraintName, VariantConstraints } from './constraints.ts';
import type { ProblemAnalysis } from './analyse.ts';

/** Numbers of a problem's `values`: a number, a vector, or a matrix as rows. @example const W: Numbers = [[0.4, 0.5], [0.2, 0.25]]; */
export type Numbers = Problem['values'][string];

/** What {@link checkCandidate} measured on one set of values. @example checkCandidate(analysis, values, constraints).stats.inactiveUnits; // 1 */
export interface CandidateStats {
  /** Entries of ReLU pre-activations, and how many of them are negative (inactive units). */
  reluUnits: number;
  inactiveUnits: number;
  /** The smallest |pre-activation| of any ReLU, exact or rounded path (null without ReLUs). */
  smallestReluMargin: number | null;
  /** The largest |exact − rounded| over every gradient entry. */
  largestRoundingError: number;
}

/** The verdict on one candidate: the constraints it breaks (none: a good variant) and the evaluated paths. @example if (checkCandidate(analysis, values, constraints).failed.length === 0) keep(values); */
export interface CandidateCheck {
  failed: ConstraintName[];
  stats: CandidateStats;
  /** Every node's exact value by id (forward and gradient nodes); undefined when the values do not compute. */
  exact?: Map<string, Tensor>;
  /** The same with every intermediate result rounded to `constraints.round` decimals. */
  rounded?: Map<string, Tensor>;
}

/**
 * Checks candidate values of an analysed problem against the constraints, on the exact path and
 * the path of a student who rounds every intermediate result (the `evaluate` that `solveProblem`
 * uses with `round`). Distinctness is the generator's business; every other constraint is here.
 *
 * @example
 * const check = checkCandidate(analyseProblem(assignmentQ3Problem()), assignmentQ3Problem().values, resolveConstraints());
 * check.failed; // ['minInactive', 'maxDecimals'] — the sheet's own numbers have every unit active
 */
export function checkCandidate(analysis: ProblemAnalysis, values: Readonly<Record<string, Numbers>>, constraints: VariantConstraints): CandidateCheck {
  const stats: CandidateStats = { reluUnits: 0, inactiveUnits: 0, smallestReluMargin: null, largestRoundingError: 0 };
  let exact: Map<string, Tensor>;
  let rounded: Map<string, Tensor>;
  try {
    exact = evaluate(analysis.gradientGraph, values);
    rounded = evaluate(analysis.gradientGraph, values, { round: constraints.round });
  } catch (error) {
    if (error instanceof ChainruleError && error.code === 'value') return { failed: ['finite'], stats };
    throw error;
  }
  const failed = new Set<ConstraintName>();

  for (const argument of analysis.reluArguments) {
    const onExact = evaluateExpr(argument, exact).data;
    const onRounded = evaluateExpr(argument, rounded).data;
    onExact.forEach((v, i) => {
      const r = onRounded[i]!;
      stats.reluUnits++;
      if (v < 0) stats.inactiveUnits++;
      const margin = Math.min(Math.abs(v), Math.abs(r));
      stats.smallestReluMargin = Math.min(stats.smallestReluMargin ?? Infinity, margin);
      // 1e-9: a pre-activation of exactly 0.1 (0.09999999999999998 in binary) keeps a margin of 0.1.
      if (margin < constraints.reluMargin - 1e-9 || Math.sign(v) !== Math.sign(r) || v === 0) failed.add('reluMargin');
    });
  }
  if (stats.reluUnits > 0 && stats.inactiveUnits < constraints.minInactive) failed.add('minInactive');

  for (const { id } of analysis.gradients) {
    const e = exact.get(id)!.data;
    const r = rounded.get(id)!.data;
    e.forEach((v, i) => (stats.largestRoundingError = Math.max(stats.largestRoundingError, Math.abs(v - r[i]!))));
    if (constraints.nonZeroGradients && (e.every((v) => Math.abs(v) < 1e-12) || r.every((v) => v === 0))) failed.add('nonZeroGradients');
  }
  if (stats.largestRoundingError > constraints.maxRoundingError) failed.add('maxRoundingError');

  if (constraints.maxDecimals !== null) {
    const scale = 10 ** constraints.maxDecimals;
    const short = (v: number) => Math.abs(Math.round(v * scale) / scale - v) <= 1e-9 * Math.max(1, Math.abs(v));
    if (!analysis.decimalNodes.every((id) => exact.get(id)!.data.every(short))) failed.add('maxDecimals');
  }
  return { failed: [...failed], stats, exact, rounded };
}
