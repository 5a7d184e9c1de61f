import { solveProblem } from '@chainrule/graph';
import { gradeSubmission, renderGradeReport } from './src/index.ts';
import { questionProblem } from '../solutions/src/problems.ts';
const exact = solveProblem(questionProblem('q3')).result;
const r = gradeSubmission('q3', exact);
console.log(renderGradeReport(r, 'text'));
const r2 = solveProblem(questionProblem('q3'), {round: 2}).result;
console.log(renderGradeReport(gradeSubmission('q3', r2, { round: null }), 'text'));
