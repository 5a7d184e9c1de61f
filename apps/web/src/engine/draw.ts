/**
 * What a drawing is made from, in the engine worker: the graph shown (with or without its
 * gradient nodes, simplified or not) as the export package's DOT. The drawing worker only lays
 * that DOT out with Graphviz (`src/draw-worker.ts`), so it loads nothing but Graphviz and starts
 * compiling it at once. Values do not change a drawing, so the page asks for one only when the
 * equations, bindings, parameters or view change.
 */
import { exportGraph, graphView } from '@chainrule/export';
import { type Graph, gradientGraph } from '@chainrule/graph';
import { parseProblem, problemGraph } from '@chainrule/problem';
import type { DrawingSource, ProblemState, ViewState } from '../model.ts';
import { nodeInfos, problemInput } from './analyze.ts';
import { markOnce } from '../marks.ts';

/** Above this many drawn nodes the page asks before laying a graph out (Graphviz takes seconds to minutes on hundreds of nodes). */
export const LARGE_GRAPH_NODES = 120;

/** The DOT of the problem's graph, or why there is none. @example (await drawingSource(q3, view, false)).dot?.startsWith('digraph') */
export async function drawingSource(state: ProblemState, view: ViewState, force: boolean): Promise<DrawingSource> {
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
  const dot = await exportGraph(shown, 'dot', { simplify: view.simplify });
  markOnce('engine:dot');
  return { nodes, dot };
}
