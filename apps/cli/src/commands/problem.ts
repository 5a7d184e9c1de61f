import { type Problem, problemFromText } from '@chainrule/problem';
import { inUserFile } from '../io.ts';

/** Reads a problem file (JSON) or a file of bare equations the user named. @example loadProblem('problem.json') */
export function loadProblem(file: string): Problem {
  return inUserFile(file, (text) => problemFromText(text, file));
}
