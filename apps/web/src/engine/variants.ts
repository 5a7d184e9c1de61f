/** "New numbers" through `@chainrule/variants`: values of the same shapes that keep the sheet's hand-calculation constraints. */
import { parseProblem, problemGraph } from '@chainrule/problem';
import { newNumbers } from '@chainrule/variants';
import type { Numbers, ProblemState } from '../model.ts';
import { problemInput } from './analyze.ts';
import { toUserError } from './errors.ts';

/** New values for the problem's leaves, drawn with `seed`. @example variantNumbers(q3, 42).W1 */
export function variantNumbers(state: ProblemState, seed: number): Record<string, Numbers> {
  try {
    const forward = problemGraph(parseProblem(problemInput({ ...state, values: {} }).input));
    const variant = newNumbers(parseProblem(problemInput(state, forward).input), { seed: seed >>> 0 });
    return variant.problem.values as Record<string, Numbers>;
  } catch (error) {
    throw new Error(toUserError(error, 'values').described);
  }
}
