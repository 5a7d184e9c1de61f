import { type Problem, type ProblemResult, solveProblem } from '@chainrule/problem';

/**
 * Computes a problem's result, exact or (with `round`) rounded to that many decimals at every
 * step. The default is `solveProblem` in float64; an exact solver (rational arithmetic) plugs in
 * here without touching the rest of the package.
 *
 * @example
 * const solver: KeySolver = (problem, options) => solveProblem(problem, options).result;
 */
export type KeySolver = (problem: Problem, options: { round?: number }) => ProblemResult;

/**
 * The default solver: `solveProblem` of `@chainrule/problem`, the computation `backprop` and the
 * grader use.
 *
 * @example
 * floatSolver(assignmentQ3Problem(), { round: 2 }).loss; // 48.24
 */
export const floatSolver: KeySolver = (problem, options) => solveProblem(problem, options.round === undefined ? {} : { round: options.round }).result;

/** An answer key: the exact result (`loss`, `values`, `gradients`) with the rounded path beside it. @example const { loss, rounded }: AnswerKey = answerKey(problem); */
export interface AnswerKey extends ProblemResult {
  /** The result of a student who rounds every intermediate result to `decimals` decimals. */
  rounded: ProblemResult & { decimals: number };
}

/** Options of {@link answerKey}. @example answerKey(problem, { round: 1, solver: exactSolver }); */
export interface AnswerKeyOptions {
  /** Decimals of the rounded path (default 2, as the sheet allows). */
  round?: number;
  solver?: KeySolver;
  /**
   * Values known to be finite decimals with at most this many decimals (a variant's checks prove
   * it): they are written as that decimal, without binary noise (3.9, not 3.9000000000000004).
   */
  decimals?: { places: number; loss: boolean; values: ReadonlySet<string>; gradients: ReadonlySet<string> };
}

/**
 * The answer key of a problem: exact and rounded at every step.
 *
 * @example
 * const key = answerKey(assignmentQ3Problem());
 * key.loss;         // 48.1977625
 * key.rounded.loss; // 48.24
 */
export function answerKey(problem: Problem, options: AnswerKeyOptions = {}): AnswerKey {
  const solver = options.solver ?? floatSolver;
  const round = options.round ?? 2;
  const exact = solver(problem, {});
  const rounded = solver(problem, { round });
  const decimals = options.decimals;
  if (!decimals) return { ...exact, rounded: { decimals: round, ...rounded } };
  const snapNumber = (v: number) => Number(v.toFixed(decimals.places)) + 0;
  const snap = (value: ProblemResult['values'][string]) => mapNumbers(value, snapNumber);
  const pick = (from: ProblemResult['values'], names: ReadonlySet<string>) =>
    Object.fromEntries(Object.entries(from).map(([name, value]) => [name, names.has(name) ? snap(value) : value]));
  const values = pick(exact.values, decimals.values);
  const loss = decimals.loss ? snapNumber(exact.loss) : exact.loss;
  return { loss, values, gradients: pick(exact.gradients, decimals.gradients), rounded: { decimals: round, ...rounded } };
}

function mapNumbers<T extends number | number[] | number[][]>(value: T, f: (v: number) => number): T {
  if (typeof value === 'number') return f(value) as T;
  return (value as (number | number[])[]).map((entry) => (typeof entry === 'number' ? f(entry) : entry.map(f))) as T;
}
