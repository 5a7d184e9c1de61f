/**
 * What the page hands out and takes in: graph exports, worked solutions and the problem file for
 * download, and problem files (or bare equations, or a layered network) read back in.
 */
import { type ExportFormat, exportGraph, validateDot as graphvizAccepts } from '@chainrule/export';
import { gradientGraph } from '@chainrule/graph';
import { layeredProblem, parseJson, parseLayeredNetwork, parseProblem, problemFromText, problemGraph, type Problem } from '@chainrule/problem';
import { problemSolution, renderSolution } from '@chainrule/solutions';
import type { Download, DownloadFormat, ProblemState, ViewState } from '../model.ts';
import { EXACT_DECIMALS, problemInput } from './analyze.ts';
import { toUserError } from './errors.ts';

const GRAPH_FORMATS: Partial<Record<DownloadFormat, { format: ExportFormat; extension: string; mediaType: string }>> = {
  dot: { format: 'dot', extension: 'dot', mediaType: 'text/vnd.graphviz' },
  svg: { format: 'svg', extension: 'svg', mediaType: 'image/svg+xml' },
  tikz: { format: 'tikz', extension: 'tex', mediaType: 'application/x-tex' },
  mermaid: { format: 'mermaid', extension: 'mmd', mediaType: 'text/plain' },
  'graph-json': { format: 'json', extension: 'graph.json', mediaType: 'application/json' },
};

const SOLUTION_FORMATS: Partial<Record<DownloadFormat, { format: 'md' | 'latex' | 'json'; extension: string; mediaType: string }>> = {
  md: { format: 'md', extension: 'md', mediaType: 'text/markdown' },
  latex: { format: 'latex', extension: 'tex', mediaType: 'application/x-tex' },
  'solution-json': { format: 'json', extension: 'solution.json', mediaType: 'application/json' },
};

/** The problem file of the state, equations one per line as the CLI reads them. */
export function problemFile(state: ProblemState): Record<string, unknown> {
  const { input } = problemInput(state);
  const lines = state.equations.split(/\r?\n/);
  return { ...input, equations: lines.length > 1 ? lines : state.equations };
}

/** One download. @example await download(state, view, 'dot') */
export async function download(state: ProblemState, view: ViewState, format: DownloadFormat): Promise<Download> {
  const graphFormat = GRAPH_FORMATS[format];
  if (graphFormat) {
    const forward = problemGraph(parseProblem(problemInput({ ...state, values: {} }).input));
    const narrowed = parseProblem(problemInput({ ...state, values: {} }, forward).input);
    const graph = view.gradients && narrowed.wrt.length > 0 ? gradientGraph(forward, narrowed.wrt) : forward;
    const text = await exportGraph(graph, graphFormat.format, { simplify: view.simplify });
    return { filename: `chainrule-graph.${graphFormat.extension}`, mediaType: graphFormat.mediaType, text };
  }
  const solutionFormat = SOLUTION_FORMATS[format];
  if (solutionFormat) {
    const forward = problemGraph(parseProblem(problemInput({ ...state, values: {} }).input));
    const problem = parseProblem(problemInput(state, forward).input);
    const question = problemSolution(problem, { title: 'Worked solution', decimals: EXACT_DECIMALS, ...(view.round === null ? {} : { round: view.round }) });
    const text = await renderSolution({ title: 'chainrule — worked solution', questions: [question] }, solutionFormat.format);
    return { filename: `chainrule-solution.${solutionFormat.extension}`, mediaType: solutionFormat.mediaType, text };
  }
  return { filename: 'problem.json', mediaType: 'application/json', text: `${JSON.stringify(problemFile(state), null, 2)}\n` };
}

/** Reads a file the user loads: a problem file, a layered network, or bare equations. @example readProblemFile('{"equations": "y = W x"}', 'p.json') */
export function readProblemFile(text: string, name: string): ProblemState {
  try {
    return toState(readProblem(text, name));
  } catch (error) {
    // Comlink carries an Error's message across; the location goes in front of it.
    throw new Error(toUserError(error, 'values').described);
  }
}

function readProblem(text: string, name: string): Problem {
  let problem: Problem;
  if (text.trimStart().startsWith('{')) {
    const json = parseJson(text, name) as Record<string, unknown>;
    problem = json !== null && typeof json === 'object' && 'layers' in json ? layeredProblem(parseLayeredNetwork(json)) : parseProblem(json);
  } else {
    problem = problemFromText(text, name);
  }
  return problem;
}

/** A problem as the page edits it: the equations as one text. */
export function toState(problem: Problem): ProblemState {
  const state: ProblemState = {
    equations: Array.isArray(problem.equations) ? problem.equations.join('\n') : problem.equations,
    functions: { ...(problem.functions ?? {}) },
    values: problem.values,
    wrt: problem.wrt,
  };
  if (problem.roles) state.roles = problem.roles;
  if (problem.loss !== undefined) state.loss = problem.loss;
  return state;
}

/** null when Graphviz accepts the DOT, else its complaint. @example await validateDot('digraph { a -> b }') // null */
export async function validateDot(dot: string): Promise<string | null> {
  try {
    await graphvizAccepts(dot);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
