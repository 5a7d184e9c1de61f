/**
 * @chainrule/grader — grades a hand-computed backpropagation fairly: every step of the forward and
 * backward pass is judged in topological order, and a step computed correctly from the student's
 * own earlier (wrong) values is `carried`, not wrong. The whole public API.
 */
export {
  type FirstWrong,
  type GradeItem,
  type GradeOptions,
  type GradeReport,
  type Grader,
  type ItemKind,
  type ItemStatus,
  type WrongReason,
  createGrader,
  gradeSubmission,
} from './grade.ts';
export { type Numbers, type Submission, submissionSchema } from './submission.ts';
export { type PointsScheme, Q3_POINTS, questionPoints, spreadPoints } from './points.ts';
export { describeTolerance } from './tolerance.ts';
export { type GradeReportJson, type ReportFormat, gradeReportJson, renderGradeReport } from './render.ts';
export { type BatchEntry, type BatchError, type BatchResult, type SummaryRow, gradeBatch, summaryCsv, summaryTable } from './batch.ts';
export { type ClassOptions, type GradedClass, CLASS_POOL_THRESHOLD, gradeClass } from './class.ts';
export type { GradedQuestion, LayeredNetwork, LayeredNetworkInput } from './questions.ts';
