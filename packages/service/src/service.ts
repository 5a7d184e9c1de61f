/**
 * The service calls under both apps: each validates its request against the same limits,
 * decides from the estimated work whether it runs on the calling thread or on the pool, and
 * answers in plain data. The CLI and the API only read arguments, call one of these and render.
 */
import { type TaskPool, taskModule } from '@chainrule/compute';
import { type GradedClass, CLASS_POOL_THRESHOLD, type GradedQuestion, type PointsScheme, gradeClass, summaryTable } from '@chainrule/grader';
import { type GradientCheckResult, type PathPart, type Problem, gradientCheck, prefixPath } from '@chainrule/problem';
import { ChainruleError, type NestedArray } from '@chainrule/tensor';
import { type WorkEstimate, WORK_COSTS, countTerms, estimateProblem } from './estimate.ts';
import { type ServiceLimits, DEFAULT_SERVICE_LIMITS, checkEstimateLimits, checkGradcheckLimits, checkProblemLimits, equationCount } from './limits.ts';
import { TASKS, type TaskName } from './tasks.ts';
import {
  type BackpropRequest,
  type BackpropResult,
  type CheckRequest,
  type CheckResult,
  type GraphRequest,
  type Rendered,
  type RequestPaths,
  type SolveRequest,
  type WorkedRequest,
} from './work.ts';

const TASKS_MODULE = taskModule(import.meta.url, 'tasks');

/**
 * The task modules the service runs on a pool: a server warms its pool up with them, so that no
 * request pays for a worker loading them (seconds on a loaded machine).
 *
 * @example
 * await pool.warmup({ modules: SERVICE_TASK_MODULES });
 */
export const SERVICE_TASK_MODULES: readonly URL[] = Object.freeze([TASKS_MODULE]);

/** Graphs of more equations than this are exported on the pool even when not SVG. */
export const GRAPH_INLINE_EQUATIONS = 100;

/**
 * How a service call may run.
 *
 * @example
 * await backprop({ problem }, { pool: getDefaultPool(), signal: AbortSignal.timeout(10_000) });
 */
export interface ServiceOptions {
  /** Where heavy work runs; without one, everything runs on the calling thread. */
  pool?: TaskPool | undefined;
  /** Cancels work on the pool. Read only when work goes to the pool (a getter may make it lazily). */
  signal?: AbortSignal | undefined;
  /** Overrides of {@link DEFAULT_SERVICE_LIMITS}. */
  limits?: Partial<ServiceLimits> | undefined;
  /** Wraps work that goes to the pool: an HTTP layer's admission control (503 when saturated). */
  admit?: (<T>(work: () => Promise<T>) => Promise<T>) | undefined;
}

function limitsOf(options: ServiceOptions): ServiceLimits {
  return options.limits ? { ...DEFAULT_SERVICE_LIMITS, ...options.limits } : DEFAULT_SERVICE_LIMITS;
}

/** Runs a task inline, or — when it is heavy and there is a pool — on the pool, admitted. */
async function run<K extends TaskName>(name: K, input: Parameters<(typeof TASKS)[K]>[0], heavy: boolean, options: ServiceOptions): Promise<Awaited<ReturnType<(typeof TASKS)[K]>>> {
  const { pool } = options;
  if (!heavy || !pool) return (await TASKS[name](input as never)) as Awaited<ReturnType<(typeof TASKS)[K]>>;
  const work = () => pool.task<Awaited<ReturnType<(typeof TASKS)[K]>>>(TASKS_MODULE, name, input, { signal: options.signal });
  return options.admit ? options.admit(work) : work();
}

/**
 * The estimate of a problem on the calling thread, or undefined when there is a pool and the
 * text alone is over the inline budget: then even parsing it is left to the worker, which checks
 * the estimate's limits before computing (`limits` of the task's request).
 */
function estimateHere(problem: Problem, limits: ServiceLimits, options: ServiceOptions): WorkEstimate | undefined {
  if (options.pool && tooLongToParse(problem, limits)) return undefined;
  return estimateProblem(problem);
}

/** Whether the equations hold too many terms to parse on the calling thread (a text too short to hold that many is not scanned). */
function tooLongToParse(problem: Problem, limits: ServiceLimits): boolean {
  const tooMany = (terms: number) => WORK_COSTS.nodeNs * 3 * terms >= limits.inlineWorkLimit;
  const texts = typeof problem.equations === 'string' ? [problem.equations] : problem.equations;
  let length = 0;
  for (const text of texts) length += text.length + 1;
  // Terms are separated by at least one other character: a text holds at most half its length of them.
  return tooMany(Math.ceil(length / 2)) && tooMany(countTerms(problem));
}

function withinLimits(problem: Problem, limits: ServiceLimits, path: readonly PathPart[]): void {
  try {
    checkProblemLimits(problem, limits);
  } catch (error) {
    throw prefixPath(error, path);
  }
}

/**
 * Reference solutions of questions of Assignment 9, rendered (JSON, Markdown, LaTeX, text). Always
 * on the pool when there is one: rendering a sheet takes milliseconds.
 *
 * @example
 * const { body, mediaType } = await solve({ questions: ['q3'], format: 'md', round: 2 });
 */
export async function solve(request: SolveRequest, options: ServiceOptions = {}): Promise<Rendered> {
  return run('solve', request, true, options);
}

/**
 * A problem's computational graph — with `gradients`, the nodes backpropagation adds for `wrt`
 * (which must not be empty) — in one export format. SVG, and graphs of more than
 * {@link GRAPH_INLINE_EQUATIONS} equations, go to the pool.
 *
 * @example
 * const { body } = await graph({ problem, format: 'dot', gradients: true, simplify: true });
 */
export async function graph(request: GraphRequest, options: ServiceOptions = {}): Promise<Rendered> {
  const limits = limitsOf(options);
  withinLimits(request.problem, limits, []);
  if (request.gradients && (request.wrt ?? request.problem.wrt).length === 0) {
    throw new ChainruleError('problem', 'gradient nodes need the parameters to differentiate for: name them in "wrt"', { path: ['wrt'] });
  }
  // No values are evaluated: the work is building, differentiating and printing the nodes.
  const nodes = estimateHere(request.problem, limits, options)?.nodes ?? Infinity;
  const work = WORK_COSTS.nodeNs * nodes * (request.gradients ? 3 : 1);
  const heavy = request.format === 'svg' || work >= limits.inlineWorkLimit || equationCount(request.problem) > GRAPH_INLINE_EQUATIONS;
  return run('graph', request, heavy, options);
}

/**
 * The forward and backward pass of a problem: loss, every value, the gradients; with `round`
 * also the rounded path, with `steps` also the worked solution. Worked steps and problems
 * estimated at `inlineWorkLimit` multiply-adds or more go to the pool.
 *
 * @example
 * (await backprop({ problem, round: 2 })).rounded?.loss;
 */
export async function backprop(request: BackpropRequest, options: ServiceOptions = {}): Promise<BackpropResult> {
  const limits = limitsOf(options);
  withinLimits(request.problem, limits, []);
  const estimate = estimateHere(request.problem, limits, options);
  if (!estimate) return run('backprop', { ...request, limits }, true, options);
  checkEstimateLimits(estimate, limits, { values: request.values !== false });
  const heavy = request.steps !== undefined || estimate.work >= limits.inlineWorkLimit;
  return run('backprop', request, heavy, options);
}

/**
 * The worked forward and backward pass of a problem, every step with its numbers, rendered as a
 * document (what `chainrule backprop` prints). On the pool when there is one.
 *
 * @example
 * const { body } = await workedSolution({ problem, title: 'Backpropagation: q3.json', format: 'text', round: 2 });
 */
export async function workedSolution(request: WorkedRequest, options: ServiceOptions = {}): Promise<Rendered> {
  withinLimits(request.problem, limitsOf(options), []);
  return run('worked', request, true, options);
}

/**
 * Grades one submission against a problem file or `q1`/`q3`, building and solving the problem
 * once. Faults of the problem are located under `paths.problem`, of the submission under
 * `paths.submission` (by default `problem.…` and `submission.…`, as in an API request).
 *
 * @example
 * const result = await check({ problem: 'q3', submission, format: 'text' });
 * if (result.firstWrong) process.exitCode = 3;
 */
export async function check(request: CheckRequest, options: ServiceOptions = {}): Promise<CheckResult> {
  let heavy = false;
  if (typeof request.problem !== 'string') {
    const limits = limitsOf(options);
    const path = request.paths?.problem ?? ['problem'];
    withinLimits(request.problem, limits, path);
    const estimate = estimateHere(request.problem, limits, options);
    if (!estimate) return run('check', { ...request, limits }, true, options);
    try {
      checkEstimateLimits(estimate, limits, { result: false });
    } catch (error) {
      throw prefixPath(error, path);
    }
    heavy = estimate.work >= limits.inlineWorkLimit;
  }
  return run('check', request, heavy, options);
}

/** A class to grade: one problem, many submissions. */
export interface ClassRequest {
  problem: Problem | GradedQuestion;
  submissions: readonly { id: string; submission: unknown }[];
  round?: number | null;
  /** The points scheme (default: the question's for q1/q3, none for a problem file — a variant of Q3 passes Q3's). */
  points?: PointsScheme | null;
}

/**
 * Grades a class's submissions — from the grader's class threshold on, on the pool in chunks,
 * calling `onProgress` as each chunk is done — and summarises it.
 *
 * @example
 * const { results, summary } = await checkClass({ problem: 'q3', submissions }, { pool, onProgress: (n) => bar.tick(n) });
 */
export async function checkClass(request: ClassRequest, options: ServiceOptions & { onProgress?: (graded: number) => void } = {}): Promise<GradedClass> {
  if (typeof request.problem !== 'string') checkProblemLimits(request.problem, limitsOf(options));
  const { submissions } = request;
  const mode = submissions.length >= CLASS_POOL_THRESHOLD ? 'pool' : 'inline';
  const chunkSize = Math.max(8, Math.ceil(submissions.length / 20));
  const chunks = Array.from({ length: Math.ceil(submissions.length / chunkSize) }, (_, i) => submissions.slice(i * chunkSize, (i + 1) * chunkSize));
  const grading = { ...(request.round === undefined ? {} : { round: request.round }), ...(request.points === undefined ? {} : { points: request.points }) };
  const parts = await Promise.all(
    chunks.map(async (chunk) => {
      const { results } = await gradeClass(request.problem, chunk, { ...grading, pool: options.pool, mode: options.pool ? mode : 'inline', signal: options.pool ? options.signal : undefined });
      options.onProgress?.(chunk.length);
      return results;
    }),
  );
  const results = parts.flat();
  return { results, summary: summaryTable(results), ranOn: options.pool && mode === 'pool' ? 'pool' : 'inline' };
}

/** A gradient-check request: a problem, the step and tolerance, gradients to check instead of the symbolic ones. */
export interface GradcheckRequest {
  problem: Problem;
  h?: number;
  tolerance?: number;
  floor?: number;
  /** Gradients to check instead of the symbolic ones, by parameter name (located at `gradients.…`). */
  gradients?: Readonly<Record<string, NestedArray>>;
  paths?: Pick<RequestPaths, 'problem'>;
}

/**
 * Checks a problem's gradients by central finite differences; with a pool, the whole check —
 * validation, preparation, the symbolic gradients and every perturbation — in one of its workers
 * (admitted as heavy work). Split across the workers, the calling thread prepared the problem and
 * evaluated its symbolic gradients itself (~1 ms of an 8-8-1 network's check on the event loop, per
 * request) for a check that one worker does in milliseconds; checks of many requests keep every
 * worker busy anyway. Faults of the problem are located under `paths.problem` (default
 * `problem.…`), of `gradients` at `gradients.…`.
 *
 * @example
 * const { pass, parameters } = await gradcheck({ problem }, { pool });
 */
export async function gradcheck(request: GradcheckRequest, options: ServiceOptions = {}): Promise<GradientCheckResult> {
  const { problem, h, tolerance, floor, gradients } = request;
  const path = request.paths?.problem ?? ['problem'];
  const limits = limitsOf(options);
  let estimate;
  try {
    checkProblemLimits(problem, limits);
    checkGradcheckLimits(problem, limits);
    estimate = estimateHere(problem, limits, options);
    if (estimate) checkEstimateLimits(estimate, limits, { result: false });
  } catch (error) {
    throw prefixPath(error, path);
  }
  const { pool } = options;
  const located = (error: unknown) => {
    const head = error instanceof ChainruleError ? error.location.path?.[0] : undefined;
    return head === 'gradients' ? error : prefixPath(error, path);
  };
  if (pool) {
    // The worker checks the estimate's limits when they were not checked here (a text too long to parse here).
    const task = () => pool.task<GradientCheckResult>(TASKS_MODULE, 'gradcheck', { ...request, ...(estimate ? {} : { limits }) }, { signal: options.signal });
    try {
      return { ...(await (options.admit ? options.admit(task) : task())), ranOn: 'pool' };
    } catch (error) {
      throw located(error);
    }
  }
  try {
    return await gradientCheck(problem, {
      ...(h === undefined ? {} : { h }),
      ...(tolerance === undefined ? {} : { tolerance }),
      ...(floor === undefined ? {} : { floor }),
      ...(gradients === undefined ? {} : { gradients }),
    });
  } catch (error) {
    throw located(error);
  }
}
