/**
 * Private test references of the workspace: inputs copied from the sheet and values computed
 * independently of the product (by hand, in plain arrays). No product package is imported here.
 */
export { QUESTION_2_ASCII, QUESTION_2_LATEX, QUESTION_2_UNICODE } from './question2.ts';
export * from './q3-by-hand.ts';
export { Q3_LOSS, Q3_W3_GRADIENT, networkProblem, q3Problem } from './api-fixtures.ts';
export * from './q1-by-hand.ts';
