// What the engine's benches share: the shape of a bench problem, seeded random matrices and the
// count of expression nodes a stage's time is divided by.
import { randomArray } from '@chainrule/bench';
import type { Expr, Graph } from '@chainrule/graph';
import { Tensor } from '@chainrule/tensor';

/** A problem as the benches hand it to the graph package: equations, values as tensors, wrt. */
export interface BenchProblem {
  equations: string[];
  values: Record<string, Tensor>;
  wrt: string[];
  functions?: Record<string, string>;
}

/** A seeded `rows`×`cols` matrix (a vector when `cols` is 1) of uniform values in [−scale, scale). */
export const matrix = (rows: number, cols: number, seed: number, scale = 1): Tensor =>
  new Tensor(randomArray(rows * cols, seed).map((v) => v * scale), cols === 1 ? [rows] : [rows, cols]);

/** Expression nodes of a graph: every distinct subexpression object of every node's expression, and the nodes. */
export function expressionNodes(graph: Graph): number {
  const seen = new Set<Expr>();
  for (const node of graph.nodes) {
    const stack: Expr[] = node.expression ? [node.expression] : [];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (seen.has(e)) continue;
      seen.add(e);
      if (e.kind === 'op') stack.push(...e.args);
    }
  }
  return seen.size + graph.nodes.length;
}
