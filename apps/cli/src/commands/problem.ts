import { type Problem, problemFromText } from '@chainrule/problem';
import { readUserFile } from '../io.ts';

/** Reads a problem file (JSON) or a file of bare equations the user named. @example loadProblem('problem.json') */
export function loadProblem(file: string): Problem {
  return problemFromText(readUserFile(file), file);
}
