import { type LayeredNetwork, type Problem, layeredProblem, parseLayeredNetwork, parseProblem } from '@chainrule/problem';
import standInNetwork from './networks/stand-in-q1.json' with { type: 'json' };
import q3Problem from './networks/q3.json' with { type: 'json' };

/** The questions of Assignment 9. */
export const QUESTIONS = ['q1', 'q2', 'q3'] as const;
/** One question of Assignment 9. */
export type Question = (typeof QUESTIONS)[number];

/** Points per question as the sheet gives them. */
export const POINTS: Record<Question, number> = { q1: 6, q2: 7, q3: 7 };

/**
 * The stand-in for the network of the lecture's slides 73/74 (which are not available), with the
 * assignment's target ŷ = [0, 1]. Every output built from it says that it is a stand-in.
 *
 * @example
 * standInQ1Network().standIn; // 'The slides 73/74 of the lecture are not available. …'
 */
export function standInQ1Network(): LayeredNetwork {
  return parseLayeredNetwork(standInNetwork);
}

/**
 * The problem file of Questions 2 and 3: the sheet's network with its numbers, f = ReLU.
 *
 * @example
 * assignmentQ3Problem().wrt; // ['W1', 'W2', 'W3']
 */
export function assignmentQ3Problem(): Problem {
  return parseProblem(q3Problem);
}

/**
 * The problem behind a question: Q1 from a layered network (the stand-in by default), Q3 (and Q2,
 * the same network) from the sheet.
 *
 * @example
 * questionProblem('q1', { network: myLectureNetwork });
 */
export function questionProblem(question: Question, options: { network?: LayeredNetwork } = {}): Problem {
  return question === 'q1' ? layeredProblem(options.network ?? standInQ1Network()) : assignmentQ3Problem();
}
