/** The questions of Assignment 9 the grader knows by name, from `@chainrule/solutions`. */
import { type LayeredNetwork, type LayeredNetworkInput, type Problem, parseLayeredNetwork, prefixPath } from '@chainrule/problem';
import { POINTS, questionProblem, standInQ1Network } from '@chainrule/assignment9';

export type { LayeredNetwork, LayeredNetworkInput };

/** The questions with numbers to grade: Q1 (a layered network) and Q3 (the sheet's network). @example gradeSubmission('q3' satisfies GradedQuestion, submission) */
export type GradedQuestion = 'q1' | 'q3';

/** True for the names of gradable questions. */
export function isGradedQuestion(value: unknown): value is GradedQuestion {
  return value === 'q1' || value === 'q3';
}

/** The problem behind a question, and the stand-in notice when Q1 uses the stand-in network. */
export function loadQuestion(question: GradedQuestion, network?: unknown): { problem: Problem; note?: string } {
  if (question === 'q3') return { problem: questionProblem('q3') };
  const layered = network === undefined ? standInQ1Network() : parseNetwork(network);
  const problem = questionProblem('q1', { network: layered });
  return layered.standIn === undefined ? { problem } : { problem, note: layered.standIn };
}

/** The points the sheet gives a question. */
export function questionTotal(question: GradedQuestion): number {
  return POINTS[question];
}

/** Validates a layered network, its errors located under `network` (`network.layers[0].W`). */
function parseNetwork(network: unknown): LayeredNetwork {
  try {
    return parseLayeredNetwork(network);
  } catch (error) {
    throw prefixPath(error, ['network']);
  }
}
