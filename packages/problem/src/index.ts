/**
 * @chainrule/problem — problem files: the schema shared by the CLI and the API, JSON parsing with
 * JSON-path errors, layered networks, and solving a problem (loss, values, gradients).
 */
export {
  type Problem,
  type ProblemInput,
  type ProblemResult,
  type SolvedProblem,
  parseProblem,
  problemFromText,
  problemGraph,
  problemSchema,
  solveProblem,
  valueSchema,
} from './problem.ts';
export {
  ACTIVATIONS,
  LOSSES,
  type LayeredNetwork,
  type LayeredNetworkInput,
  layeredNetworkSchema,
  layeredProblem,
  parseLayeredNetwork,
} from './layered.ts';
export { parseJson } from './json.ts';
export { fromZodError } from './validation.ts';
