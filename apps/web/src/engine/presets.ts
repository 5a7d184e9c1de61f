/** Assignment 9's questions, ready to load: Q1 (the layered stand-in), Q2 (the sheet's LaTeX), Q3 (the sheet's numbers). */
import { QUESTION_2_LATEX, assignmentQ3Problem, standInQ1Network } from '@chainrule/assignment9';
import { layeredProblem } from '@chainrule/problem';
import type { AppState, ProblemState } from '../model.ts';
import { toState } from './files.ts';

/** The problem of a question, as the page edits it. @example preset('q3').wrt // ['W1', 'W2', 'W3'] */
export function preset(question: NonNullable<AppState['preset']>): ProblemState {
  if (question === 'q1') return toState(layeredProblem(standInQ1Network()));
  const q3 = toState(assignmentQ3Problem());
  // Question 2 is the same network, typed as the sheet typesets it; the numbers are Question 3's.
  return question === 'q2' ? { ...q3, equations: QUESTION_2_LATEX } : q3;
}

/** What the page says about a question when it is loaded. */
export function presetNote(question: NonNullable<AppState['preset']>): string {
  if (question === 'q1') return standInQ1Network().standIn ?? 'Question 1: the lecture\'s layered network.';
  if (question === 'q2') return 'Question 2: the network as the sheet typesets it (LaTeX), with the numbers of Question 3.';
  return 'Question 3: backpropagation by hand with the sheet\'s numbers (the sheet allows rounding to 2 decimals).';
}
