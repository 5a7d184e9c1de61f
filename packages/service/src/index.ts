/**
 * @chainrule/service — the one service layer under the CLI and the API: solve (Assignment 9),
 * graph (and its exports), backprop (and worked solutions), check (one submission or a class) and
 * gradcheck, with the same validation, the same limits and the same inline-or-pool decision for
 * every caller.
 */
export {
  type ClassRequest,
  type GradcheckRequest,
  type ServiceOptions,
  GRAPH_INLINE_EQUATIONS,
  SERVICE_TASK_MODULES,
  backprop,
  check,
  checkClass,
  gradcheck,
  graph,
  solve,
  workedSolution,
} from './service.ts';
export {
  type BackpropRequest,
  type BackpropResult,
  type CheckFormat,
  type CheckRequest,
  type CheckResult,
  type GraphRequest,
  type Rendered,
  type RequestPaths,
  type SolveRequest,
  type StepsFormat,
  type WorkedRequest,
  solutionDocument,
} from './work.ts';
export { type ServiceLimits, DEFAULT_SERVICE_LIMITS, checkEstimateLimits, checkGradcheckLimits, checkProblemLimits, equationCount } from './limits.ts';
export { type LargestIntermediate, type WorkEstimate, WORK_COSTS, estimateProblem } from './estimate.ts';
