/**
 * @chainrule/variants — exam variants: the same equations with new numbers for every student,
 * each kept only when it is as good for hand calculation as the sheet's (numbers on a grid, no
 * ReLU input near its kink, an inactive unit, small rounding drift, short decimals), each with its
 * answer key (exact and rounded at every step) and its sheets. Browser-safe: it writes no files.
 */
export {
  CONSTRAINT_NAMES,
  type ConstraintName,
  type ConstraintsInput,
  type VariantConstraints,
  constraintsSchema,
  describeConstraint,
  resolveConstraints,
  weightGrid,
} from './constraints.ts';
export { type CandidateCheck, type CandidateStats, type Numbers, checkCandidate } from './checks.ts';
export { type ProblemAnalysis, type VariedLeaf, analyseProblem } from './analyse.ts';
export { type SeededPicker, seededPicker } from './random.ts';
export { type AnswerKey, type AnswerKeyOptions, type KeySolver, answerKey, floatSolver } from './key.ts';
export {
  DEFAULT_ATTEMPTS_PER_VARIANT,
  type GenerateOptions,
  MAX_VARIANTS,
  type Variant,
  type VariantSet,
  describeShortfall,
  generateVariants,
  newNumbers,
} from './generate.ts';
export { type VariantOrigin, keySheet, studentSheet } from './sheet.ts';
export { variantSource } from './source.ts';
export { type VariantFile, type VariantFileNames, keyJson, variantFileNames, variantFiles, variantsCsv } from './files.ts';
