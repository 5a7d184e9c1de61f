import type { SolutionDocument } from './document.ts';
import type { LayeredNetwork } from '@chainrule/problem';
import type { Question } from '@chainrule/assignment9';
import { type SolutionOptions, question1, question2, question3 } from './questions.ts';

/** Options of {@link solutionSheet}. */
export interface SheetOptions extends SolutionOptions {
  /** The lecture's network for Question 1 (the stand-in otherwise), and where it was read from. */
  network?: LayeredNetwork;
  networkSource?: string;
}

/**
 * The reference solution sheet of Assignment 9 for the chosen questions.
 *
 * @example
 * const sheet = solutionSheet(['q1', 'q2', 'q3'], { round: 2 });
 * await renderSolution(sheet, 'text');
 */
export function solutionSheet(questions: readonly Question[], options: SheetOptions = {}): SolutionDocument {
  const shared: SolutionOptions = {
    ...(options.round === undefined ? {} : { round: options.round }),
    ...(options.decimals === undefined ? {} : { decimals: options.decimals }),
  };
  return {
    title: 'Deep Neural Networks — Assignment 9: reference solution',
    subtitle: 'Computed by chainrule from the equations and numbers of the sheet',
    questions: questions.map((question) => {
      switch (question) {
        case 'q1':
          return question1({
            ...shared,
            ...(options.network ? { network: options.network } : {}),
            ...(options.networkSource ? { source: options.networkSource } : {}),
          });
        case 'q2':
          return question2();
        case 'q3':
          return question3(shared);
      }
    }),
  };
}
