/**
 * @chainrule/problem — problem files: the schema shared by the CLI and the API, JSON parsing with
 * JSON-path errors, layered networks, prepared problems (graphs built once, evaluated with any
 * values), solving, and the gradient check and batch evaluation (inline or on a compute pool).
 */
export {
  type Problem,
  type ProblemInput,
  type ProblemResult,
  type SolvedProblem,
  parseProblem,
  problemFromText,
  problemGraph,
  problemResultSchema,
  problemSchema,
  solveProblem,
  valueSchema,
} from './problem.ts';
export { type PreparedParameter, PREPARED_CACHE_SIZE, PreparedProblem, prepareProblem } from './prepared.ts';
export { acceptedProblem } from './quick-check.ts';
export {
  type GradientCheckOptions,
  type GradientCheckResult,
  type ParameterCheck,
  type WorkOptions,
  GRADIENT_CHECK_POOL_THRESHOLD,
  gradientCheck,
  runsInline,
} from './gradient-check.ts';
export { type BatchItemResult, type BatchResult, type BatchValue, BATCH_POOL_THRESHOLD, evaluateBatch } from './batch.ts';
export {
  ACTIVATIONS,
  LOSSES,
  type LayeredNetwork,
  type LayeredNetworkInput,
  layeredNetworkSchema,
  layeredProblem,
  parseLayeredNetwork,
} from './layered.ts';
export { decodeUtf8, parseJson } from './json.ts';
export { type PathPart, explainIssue, fromZodError, prefixPath } from './validation.ts';
export { valueShape } from './shape.ts';
