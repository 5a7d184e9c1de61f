import { type Expr, type Graph, type OpExpr, lookThrough, opRecord } from '@chainrule/graph';
import type { Tensor } from '@chainrule/tensor';

/**
 * A derivative f′(u) inside a gradient's formula where the graph also has h = f(u): a student writes
 * f′ from h (σ′ = h(1 − h), tanh′ = 1 − h², ReLU′ = 1 where h > 0), so a slip in h is carried into it.
 */
export interface OutputForm {
  derivative: OpExpr;
  /** The node h = f(u). */
  output: string;
  fromOutput: (h: Tensor) => Tensor;
}

/**
 * By gradient node: the derivatives f′(u) of its formula that a student may work out from h = f(u) instead.
 *
 * @example
 * outputFormsOf(q1Graph).get('dL/da1'); // [{ derivative: σ'(a1), output: 'h1', fromOutput }]
 */
export function outputFormsOf(graph: Graph): Map<string, OutputForm[]> {
  // h = f(u) by the op and the node it reads.
  const outputOf = new Map<string, string>();
  for (const node of graph.nodes) {
    const e = node.expression && lookThrough(node.expression);
    if (e?.kind === 'op' && e.args.length === 1 && e.args[0]!.kind === 'ref') outputOf.set(`${e.op}(${e.args[0]!.id})`, node.id);
  }
  const forms = new Map<string, OutputForm[]>();
  for (const node of graph.nodes) {
    if (!node.added || !node.expression) continue;
    const found: OutputForm[] = [];
    const seen = new Set<Expr>();
    const stack: Expr[] = [node.expression];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (e.kind !== 'op' || seen.has(e)) continue;
      seen.add(e);
      // The op table's f′ from the function's value (σ′ = y(1 − y)), for f′ of a node u with h = f(u) in the graph.
      const { derivativeOf: of, fromOutput } = opRecord(e.op);
      const arg = e.args[0];
      const output = fromOutput && arg?.kind === 'ref' ? outputOf.get(`${of}(${arg.id})`) : undefined;
      if (fromOutput && output) found.push({ derivative: e, output, fromOutput });
      else stack.push(...e.args);
    }
    if (found.length > 0) forms.set(node.id, found);
  }
  return forms;
}

