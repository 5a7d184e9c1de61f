/**
 * The drawing: the graph laid out by Graphviz through the export package's SVG exporter, in the
 * drawing worker. Values do not change a drawing, so the page asks for one only when the
 * equations, bindings, parameters or view change.
 */
import { exportGraph, graphView } from '@chainrule/export';
import { type Graph, gradientGraph } from '@chainrule/graph';
import { parseProblem, problemGraph } from '@chainrule/problem';
import type { Drawing, ProblemState, ViewState } from '../model.ts';
import { nodeInfos, problemInput } from './analyze.ts';
import { toUserError } from './errors.ts';
import { markOnce } from '../marks.ts';

/** Above this many drawn nodes the page asks before laying a graph out (Graphviz takes seconds to minutes on hundreds of nodes). */
export const LARGE_GRAPH_NODES = 120;

/** The SVG of the problem's graph, or why there is none. @example (await draw(q3, view, false)).svg?.startsWith('<?xml') */
export async function draw(state: ProblemState, view: ViewState, force: boolean): Promise<Drawing> {
  let shown: Graph;
  try {
    const structure = { ...state, values: {} };
    const forward = problemGraph(parseProblem(problemInput(structure).input));
    const problem = parseProblem(problemInput(structure, forward).input);
    shown = view.gradients && problem.wrt.length > 0 && forward.loss !== undefined ? gradientGraph(forward, problem.wrt) : forward;
  } catch {
    // The equations' own error: the analysis reports it where it is; the last drawing stays.
    return { nodes: [], unchanged: true };
  }
  const drawn = graphView(shown, { simplify: view.simplify });
  const nodes = nodeInfos(shown, drawn.nodes.map((n) => n.id));
  if (!force && drawn.nodes.length > LARGE_GRAPH_NODES) return { nodes, tooBig: drawn.nodes.length };
  markOnce('draw:graph-built');
  try {
    const svg = await exportGraph(shown, 'svg', { simplify: view.simplify });
    markOnce('draw:laid-out');
    return { nodes, svg };
  } catch (error) {
    return { nodes, error: toUserError(error, 'drawing') };
  }
}
