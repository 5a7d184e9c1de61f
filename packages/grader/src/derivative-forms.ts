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
  const formOf = (e: OpExpr): Omit<OutputForm, 'derivative'> | undefined => {
    const { derivativeOf: of, fromOutput } = opRecord(e.op);
    const arg = e.args[0];
    const output = fromOutput && arg?.kind === 'ref' ? outputOf.get(`${of}(${arg.id})`) : undefined;
    return fromOutput && output ? { output, fromOutput } : undefined;
  };
  // Whether an expression holds such a derivative, for every subexpression once: the formulas of
  // a gradient graph share subexpressions, and a walk of each formula would walk them again and again.
  const holdsForm = new Map<Expr, boolean>();
  const markForms = (root: Expr) => {
    const stack: [Expr, boolean][] = [[root, false]];
    while (stack.length > 0) {
      const [e, argsDone] = stack.pop()!;
      if (holdsForm.has(e)) continue;
      if (e.kind !== 'op') holdsForm.set(e, false);
      else if (formOf(e)) holdsForm.set(e, true);
      else if (argsDone) holdsForm.set(e, e.args.some((arg) => holdsForm.get(arg)));
      else {
        stack.push([e, true]);
        for (const arg of e.args) if (!holdsForm.has(arg)) stack.push([arg, false]);
      }
    }
  };
  const forms = new Map<string, OutputForm[]>();
  for (const node of graph.nodes) {
    if (!node.added || !node.expression) continue;
    markForms(node.expression);
    if (!holdsForm.get(node.expression)) continue;
    const found: OutputForm[] = [];
    const seen = new Set<Expr>();
    const stack: Expr[] = [node.expression];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (e.kind !== 'op' || seen.has(e) || !holdsForm.get(e)) continue;
      seen.add(e);
      const form = formOf(e);
      if (form) found.push({ derivative: e, ...form });
      else stack.push(...e.args);
    }
    if (found.length > 0) forms.set(node.id, found);
  }
  return forms;
}

