/**
 * The work behind the service calls, as plain functions of plain data: each runs on the calling
 * thread for small inputs, or in a worker of a compute pool (`tasks.ts`) for large ones — the
 * same code either way, so the answers cannot differ.
 */
import { EXPORTERS, type ExportFormat, exportGraph } from '@chainrule/export';
import { type GradeOptions, type GradeReportJson, type GradedQuestion, type PointsScheme, createGrader, gradeReportJson, renderGradeReport } from '@chainrule/grader';
import { type GradientCheckResult, type LayeredNetworkInput, type PathPart, type Problem, type ProblemResult, gradientCheck, parseLayeredNetwork, prefixPath, prepareProblem, solveProblem } from '@chainrule/problem';
import { type Question } from '@chainrule/assignment9';
import { RENDERERS, type SolutionFormat, problemSolution, renderSolution, solutionSheet } from '@chainrule/solutions';
import { ChainruleError, type NestedArray } from '@chainrule/tensor';
import { estimateProblem } from './estimate.ts';
import { type ServiceLimits, checkEstimateLimits } from './limits.ts';

/** A rendered document: its text and media type. @example const { body, mediaType }: Rendered = await graph({ problem, format: 'dot' }); */
export interface Rendered {
  body: string;
  mediaType: string;
}

/** Formats of worked steps in a backprop answer. */
export type StepsFormat = 'text' | 'md' | 'latex';

/** A backprop request: a problem, and what to add to its result. */
export interface BackpropRequest {
  problem: Problem;
  /** Also compute every value rounded to this many decimals at every step. */
  round?: number;
  /** Decimals of exact numbers in worked steps (default 4). */
  decimals?: number;
  /** Also render the worked solution in this format. */
  steps?: StepsFormat;
  /** `false`: answer the loss and gradients alone, without every computed value (default true). */
  values?: boolean;
  /** Set by the service when the estimate's limits are checked here (in a worker), not by the caller. */
  limits?: ServiceLimits;
}

/** The answer to a backprop request. @example (await backprop({ problem })).gradients.W1 */
export interface BackpropResult extends ProblemResult {
  round?: number;
  /** The result when every intermediate value is rounded to `round` decimals. */
  rounded?: ProblemResult;
  /** The worked forward and backward pass. */
  steps?: { format: StepsFormat; mediaType: string; text: string };
}

const WORKED_TITLE = 'chainrule — worked solution';

export async function backpropWork(request: BackpropRequest): Promise<BackpropResult> {
  const { problem, round, decimals, steps } = request;
  if (request.limits) checkEstimateLimits(estimateProblem(problem), request.limits, { values: request.values !== false });
  const result: BackpropResult = steps !== undefined ? await backpropWithSteps(problem, steps, round, decimals) : solveProblem(problem).result;
  if (steps === undefined && round !== undefined) Object.assign(result, { round, rounded: solveProblem(problem, { round }).result });
  if (request.values === false) {
    delete (result as Partial<BackpropResult>).values;
    if (result.rounded) delete (result.rounded as Partial<ProblemResult>).values;
  }
  return result;
}

/** A gradient check run whole on one thread (in a worker, when it is too heavy for the calling one). */
export function gradcheckWork(request: { problem: Problem; h?: number; tolerance?: number; floor?: number; gradients?: Readonly<Record<string, NestedArray>>; limits?: ServiceLimits }): Promise<GradientCheckResult> {
  const { problem, h, tolerance, floor, gradients } = request;
  if (request.limits) checkEstimateLimits(estimateProblem(problem), request.limits, { result: false });
  return gradientCheck(problem, {
    ...(h === undefined ? {} : { h }),
    ...(tolerance === undefined ? {} : { tolerance }),
    ...(floor === undefined ? {} : { floor }),
    ...(gradients === undefined ? {} : { gradients }),
  });
}

async function backpropWithSteps(problem: Problem, steps: StepsFormat, round: number | undefined, decimals: number | undefined): Promise<BackpropResult> {
  const question = problemSolution(problem, { title: 'Backpropagation', ...(round === undefined ? {} : { round }), ...(decimals === undefined ? {} : { decimals }) });
  const text = await renderSolution({ title: WORKED_TITLE, questions: [question] }, steps);
  if (!question.result) throw new ChainruleError('internal', 'the worked solution has no result');
  return {
    ...question.result,
    ...(round === undefined || !question.roundedResult ? {} : { round, rounded: question.roundedResult }),
    steps: { format: steps, mediaType: RENDERERS[steps].mediaType, text },
  };
}

/** A worked-solution request: the forward and backward pass of a problem, every step with its numbers. */
export interface WorkedRequest {
  problem: Problem;
  /** The heading of the solution. */
  title: string;
  format: SolutionFormat;
  round?: number;
  decimals?: number;
  /** ANSI colour in the text format. */
  color?: boolean;
}

export async function workedWork(request: WorkedRequest): Promise<Rendered> {
  const { problem, title, format, round, decimals, color } = request;
  const question = problemSolution(problem, { title, ...(round === undefined ? {} : { round }), ...(decimals === undefined ? {} : { decimals }) });
  const body = await renderSolution({ title: WORKED_TITLE, questions: [question] }, format, { color: color ?? false });
  return { body, mediaType: RENDERERS[format].mediaType };
}

/** A graph request: a problem's computational graph in one export format. */
export interface GraphRequest {
  problem: Problem;
  format: ExportFormat;
  /** Add the gradient nodes of ∂loss/∂w for every `w` of `wrt`. */
  gradients?: boolean;
  /** Leave out added nodes with one input and one output. */
  simplify?: boolean;
  /** The parameters, instead of the problem's `wrt`. */
  wrt?: string[];
  title?: string;
}

export async function graphWork(request: GraphRequest): Promise<Rendered> {
  const { problem, format, title } = request;
  const prepared = prepareProblem(problem, request.wrt === undefined ? {} : { wrt: request.wrt });
  const shown = request.gradients ? prepared.withGradients : prepared.graph;
  const body = await exportGraph(shown, format, { simplify: request.simplify ?? false, ...(title === undefined ? {} : { title }) });
  return { body, mediaType: EXPORTERS[format].mediaType };
}

/** A solve request: reference solutions of questions of Assignment 9, rendered. */
export interface SolveRequest {
  questions: readonly Question[];
  format: SolutionFormat;
  round?: number;
  decimals?: number;
  /** The lecture's layered network for Question 1 (validated here; the labelled stand-in otherwise). */
  network?: unknown;
  /** Where the network was read from, for the sheet. */
  networkSource?: string;
  /** ANSI colour in the text format. */
  color?: boolean;
}

/** The solution sheet of a solve request, before rendering. @example solutionDocument({ questions: ['q3'] }) */
export function solutionDocument(request: Omit<SolveRequest, 'format' | 'color'>) {
  const network = request.network === undefined ? undefined : parseLayeredNetwork(request.network);
  return solutionSheet(request.questions, {
    ...(request.round === undefined ? {} : { round: request.round }),
    ...(request.decimals === undefined ? {} : { decimals: request.decimals }),
    ...(network ? { network, ...(request.networkSource === undefined ? {} : { networkSource: request.networkSource }) } : {}),
  });
}

export async function solveWork(request: SolveRequest): Promise<Rendered> {
  const body = await renderSolution(solutionDocument(request), request.format, { color: request.color ?? false });
  return { body, mediaType: RENDERERS[request.format].mediaType };
}

/** Formats of a grade report. */
export type CheckFormat = 'json' | 'text' | 'markdown';

/** Where the parts of a check or gradcheck request are, for the JSON paths of their errors. */
export interface RequestPaths {
  /** Default `['problem']`; `[]` when the problem is a file of its own. */
  problem?: readonly PathPart[];
  /** Default `['submission']`. */
  submission?: readonly PathPart[];
}

/** A check request: a submission graded against a problem file or a question. */
export interface CheckRequest {
  problem: Problem | GradedQuestion;
  submission: unknown;
  /** Decimals every step is rounded to, or null for exact arithmetic; the grader's default otherwise. */
  round?: number | null;
  format: CheckFormat;
  /** The points scheme (default: the question's for q1/q3, none for a problem file). */
  points?: PointsScheme | null;
  /** Q1 only: the layered network of the lecture's slides. */
  network?: LayeredNetworkInput;
  /** The name a problem file is reported under. */
  name?: string;
  paths?: RequestPaths;
  /** Set by the service when the estimate's limits are checked here (in a worker), not by the caller. */
  limits?: ServiceLimits;
}

/** A graded submission: the first wrong step, and the report as JSON or rendered. */
export type CheckResult = { firstWrong: string | null } & ({ json: GradeReportJson } | Rendered);

export function checkWork(request: CheckRequest): CheckResult {
  const problemPath = request.paths?.problem ?? ['problem'];
  const submissionPath = request.paths?.submission ?? ['submission'];
  if (request.limits && typeof request.problem !== 'string') {
    try {
      checkEstimateLimits(estimateProblem(request.problem), request.limits, { result: false });
    } catch (error) {
      throw prefixPath(error, problemPath);
    }
  }
  const options: GradeOptions = {
    ...(request.round === undefined ? {} : { round: request.round }),
    ...(request.points === undefined ? {} : { points: request.points }),
    ...(request.network === undefined ? {} : { network: request.network }),
    ...(request.name === undefined ? {} : { name: request.name }),
  };
  let grader;
  try {
    // Builds and solves the problem once: its faults are located inside the problem.
    grader = createGrader(request.problem, options);
  } catch (error) {
    const head = error instanceof ChainruleError ? error.location.path?.[0] : undefined;
    throw head === 'round' || head === 'points' || head === 'network' ? error : prefixPath(error, problemPath);
  }
  let report;
  try {
    report = grader.grade(request.submission);
  } catch (error) {
    throw prefixPath(error, submissionPath);
  }
  const firstWrong = report.firstWrong?.name ?? null;
  if (request.format === 'json') return { firstWrong, json: gradeReportJson(report) };
  const mediaType = request.format === 'markdown' ? 'text/markdown; charset=utf-8' : 'text/plain; charset=utf-8';
  return { firstWrong, body: renderGradeReport(report, request.format), mediaType };
}
