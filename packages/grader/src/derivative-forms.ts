import { type Expr, type Graph, type OpExpr, lookThrough, opRecord } from '@chainrule/graph';
import { type Tensor, map } from '@chainrule/tensor';

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
 * f′ written with y = f(u), for the element-wise functions whose derivative has that form.
 * (Belongs in the op table's `derivative` entry as `fromOutput`: the op files were being changed by their owner.)
 */
const DERIVATIVE_FROM_OUTPUT: Readonly<Record<string, (y: number) => number>> = {
  sigmoid: (y) => y * (1 - y),
  tanh: (y) => 1 - y * y,
  relu: (y) => (y > 0 ? 1 : 0),
};

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
      const of = opRecord(e.op).derivativeOf;
      const arg = e.args[0];
      const fromOutput = of === undefined ? undefined : DERIVATIVE_FROM_OUTPUT[of];
      const output = fromOutput && arg?.kind === 'ref' ? outputOf.get(`${of}(${arg.id})`) : undefined;
      if (fromOutput && output) found.push({ derivative: e, output, fromOutput: (h) => map(h, fromOutput) });
      else stack.push(...e.args);
    }
    if (found.length > 0) forms.set(node.id, found);
  }
  return forms;
}

