import { questionProblem } from '@chainrule/assignment9';
import type { Problem } from '@chainrule/problem';
import type { VariantOrigin } from './sheet.ts';

/**
 * The problem behind `q1`, `q3` or a problem file, with the name sheets give it. Q1 is the
 * layered stand-in network written as equations (`a1 = W1 x + b1`, `h1 = sigmoid(a1)`, …).
 *
 * @example
 * variantSource('q3').origin; // { question: 'q3', name: 'Question 3' }
 * variantSource(parseProblem(json), 'exam.json').origin; // { name: 'exam.json' }
 */
export function variantSource(source: 'q1' | 'q3' | Problem, name = 'problem'): { problem: Problem; origin: VariantOrigin } {
  if (source === 'q1' || source === 'q3') {
    return { problem: questionProblem(source), origin: { question: source, name: `Question ${source.slice(1)}` } };
  }
  return { problem: source, origin: { name } };
}
