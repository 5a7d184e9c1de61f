/**
 * The work behind the routes, as plain functions of plain data: each runs inline on the event
 * loop for small inputs, or in a worker of the compute pool (`offload/pool.ts`) for large ones — the same code
 * either way, so the answers cannot differ.
 */
import { gradeReportJson, gradeSubmission, renderGradeReport } from '@chainrule/grader';
import { ChainruleError, gradientGraph } from '@chainrule/graph';
import { EXPORTERS, type ExportFormat, exportGraph } from '@chainrule/export';
import { type Problem, type ProblemResult, problemGraph, solveProblem } from '@chainrule/problem';
import { prefixPath } from '../problem.ts';
import { type Question } from '@chainrule/assignment9';
import { RENDERERS, type SolutionFormat, problemSolution, renderSolution, solutionSheet } from '@chainrule/solutions';

/** A rendered document: its text and media type. */
export interface Rendered {
  body: string;
  mediaType: string;
}

/** Formats of worked steps. */
export type StepsFormat = 'text' | 'md' | 'latex';

export interface BackpropInput {
  problem: Problem;
  /** Also compute every value rounded to this many decimals at every step. */
  round?: number;
  /** Decimals of exact numbers in worked steps (default 4). */
  decimals?: number;
  /** Also render the worked solution in this format. */
  steps?: StepsFormat;
}

export interface BackpropOutput extends ProblemResult {
  round?: number;
  /** The result when every intermediate value is rounded to `round` decimals. */
  rounded?: ProblemResult;
  /** The worked forward and backward pass. */
  steps?: { format: StepsFormat; mediaType: string; text: string };
}

/**
 * Forward and backward pass of a problem: loss, values, gradients; with `round` also the rounded
 * path, with `steps` also the worked solution.
 *
 * @example
 * (await backprop({ problem: assignmentQ3Problem() })).loss; // 48.1977625
 */
export async function backprop(input: BackpropInput): Promise<BackpropOutput> {
  const { problem, round, decimals, steps } = input;
  if (steps !== undefined) {
    const question = problemSolution(problem, {
      title: 'Backpropagation',
      ...(round === undefined ? {} : { round }),
      ...(decimals === undefined ? {} : { decimals }),
    });
    const text = await renderSolution({ title: 'chainrule — worked solution', questions: [question] }, steps);
    if (!question.result) throw new ChainruleError('internal', 'the worked solution has no result');
    return {
      ...question.result,
      ...(round === undefined || !question.roundedResult ? {} : { round, rounded: question.roundedResult }),
      steps: { format: steps, mediaType: RENDERERS[steps].mediaType, text },
    };
  }
  const exact = solveProblem(problem).result;
  if (round === undefined) return exact;
  return { ...exact, round, rounded: solveProblem(problem, { round }).result };
}

export interface GraphInput {
  problem: Problem;
  format: ExportFormat;
  /** Add the gradient nodes of ∂loss/∂w for every `w` of the problem's `wrt`. */
  gradients: boolean;
  /** Leave out added nodes with one input and one output. */
  simplify: boolean;
  title?: string;
}

/**
 * The computational graph of a problem in one export format.
 *
 * @example
 * (await graph({ problem, format: 'dot', gradients: true, simplify: true })).body; // 'digraph …'
 */
export async function graph(input: GraphInput): Promise<Rendered> {
  const { problem, format, gradients, simplify, title } = input;
  const forward = problemGraph(problem);
  let shown = forward;
  if (gradients) {
    if (problem.wrt.length === 0) {
      throw new ChainruleError('problem', 'gradient nodes need the parameters to differentiate for: name them in "wrt"', { path: ['wrt'] });
    }
    shown = gradientGraph(forward, problem.wrt);
  }
  const body = await exportGraph(shown, format, { simplify, ...(title === undefined ? {} : { title }) });
  return { body, mediaType: EXPORTERS[format].mediaType };
}

export interface SolutionsInput {
  question: Question;
  format: SolutionFormat;
  round?: number;
}

/**
 * The reference solution of one question of Assignment 9, rendered.
 *
 * @example
 * (await solutions({ question: 'q3', format: 'json' })).mediaType; // 'application/json'
 */
export async function solutions(input: SolutionsInput): Promise<Rendered> {
  const sheet = solutionSheet([input.question], input.round === undefined ? {} : { round: input.round });
  return { body: await renderSolution(sheet, input.format), mediaType: RENDERERS[input.format].mediaType };
}

/** Formats of a grade report. */
export type CheckFormat = 'json' | 'text' | 'markdown';

export interface CheckInput {
  problem: Problem | 'q1' | 'q3';
  submission: unknown;
  /** Decimals every step is rounded to, or null for exact arithmetic; the grader's default otherwise. */
  round?: number | null;
  format: CheckFormat;
}

/**
 * Grades a submission; the JSON report as an object, or text / Markdown.
 *
 * @example
 * (await check({ problem: 'q3', submission: { loss: 48.2 }, format: 'json' })).json.firstWrong; // null
 */
export async function check(input: CheckInput): Promise<{ json: unknown } | Rendered> {
  // A fault of the problem file is reported inside `problem`, one of the submission inside `submission`.
  if (typeof input.problem !== 'string') {
    try {
      solveProblem(input.problem);
    } catch (error) {
      throw prefixPath(error, ['problem']);
    }
  }
  let report;
  try {
    report = gradeSubmission(input.problem, input.submission, input.round === undefined ? {} : { round: input.round });
  } catch (error) {
    const path = error instanceof ChainruleError ? error.location.path : undefined;
    throw path?.[0] === 'round' ? error : prefixPath(error, ['submission']);
  }
  if (input.format === 'json') return { json: gradeReportJson(report) };
  const mediaType = input.format === 'markdown' ? 'text/markdown; charset=utf-8' : 'text/plain; charset=utf-8';
  return { body: renderGradeReport(report, input.format), mediaType };
}

/** Every task by name: what a worker can be asked to run. */
export const TASKS = { backprop, graph, solutions, check } as const;

/** The name of a task. */
export type TaskName = keyof typeof TASKS;
/** A task's input. */
export type TaskInput<K extends TaskName> = Parameters<(typeof TASKS)[K]>[0];
/** A task's output. */
export type TaskOutput<K extends TaskName> = Awaited<ReturnType<(typeof TASKS)[K]>>;
