import { ChainruleError, type Expr, type Graph, gradientGraph, referencedIds, sameExpr } from '@chainrule/graph';
import { type Problem, problemGraph, solveProblem } from '@chainrule/problem';

/** A leaf whose numbers a variant replaces: its name as the problem file writes it, role and shape. @example const leaf: VariedLeaf = { name: 'W1', id: 'W1', role: 'parameter', shape: [3, 4] }; */
export interface VariedLeaf {
  /** The key in the problem's `values` (`ŷ`, `W1`). */
  name: string;
  /** Node id in the graph. */
  id: string;
  role: 'input' | 'parameter' | 'target';
  /** `[]` for a number, `[n]` for a vector, `[rows, cols]` for a matrix. */
  shape: number[];
}

/** A problem analysed once, so that many candidate values can be checked cheaply. @example const analysis: ProblemAnalysis = analyseProblem(problem); */
export interface ProblemAnalysis {
  problem: Problem;
  graph: Graph;
  /** The forward graph with the gradient nodes of ∂loss/∂w for every w of `wrt`. */
  gradientGraph: Graph;
  leaves: VariedLeaf[];
  /** The argument of every ReLU in the forward equations (found by op, whatever the function is called). */
  reluArguments: Expr[];
  /** Gradient node id of each name of `wrt`, in order, and the label the result keys it by. */
  gradients: { name: string; label: string; id: string }[];
  /** Nodes whose exact values are finite decimals whenever the leaves are: only exact ops on the way. */
  decimalNodes: string[];
  /** The same as result labels: which of the loss, `values` and `gradients` of a key are finite decimals. */
  decimalLabels: { loss: boolean; values: Set<string>; gradients: Set<string> };
}

/**
 * Ops of the op table that keep a finite decimal a finite decimal (no division, no transcendental
 * function; `relu'` is ReLU's step). An op not listed — one added later — is taken as not exact:
 * its values are not held to `maxDecimals`.
 */
const DECIMAL_OPS: ReadonlySet<string> = new Set(['add', 'neg', 'mul', 'matmul', 'transpose', 'squaredNorm', 'sum', 'relu', "relu'", 'unbroadcast', 'expand']);

/**
 * Analyses a problem for variant generation: which leaves get new numbers (every input, parameter
 * and target, in the shape the problem gives it), where the ReLUs are, which gradients the key
 * holds and which values can be finite decimals. The problem must solve as given.
 *
 * @example
 * const analysis = analyseProblem(assignmentQ3Problem());
 * analysis.leaves.map((leaf) => `${leaf.name}:${leaf.role}`); // ['x:input', 'W1:parameter', …, 'ŷ:target']
 * analysis.reluArguments.length; // 2 (f(u1), f(u2))
 */
export function analyseProblem(problem: Problem): ProblemAnalysis {
  const graph = problemGraph(problem);
  const leaves: VariedLeaf[] = graph.leaves().map((node) => {
    const name = Object.keys(problem.values).find((key) => graph.resolve(key) === node.id);
    if (name === undefined) {
      throw new ChainruleError('problem', `'${node.label}' has no value: a variant keeps the shape of every value, so the problem must give one for each leaf`, {
        path: ['values', node.label],
      });
    }
    const role = node.kind === 'input' || node.kind === 'parameter' || node.kind === 'target' ? node.kind : 'input';
    return { name, id: node.id, role, shape: shapeOf(problem.values[name]!) };
  });
  // Solving once checks everything else (shapes, names, the loss) with the problem's own messages.
  solveProblem(problem);
  const withGradients = gradientGraph(graph, problem.wrt);
  const reluArguments: Expr[] = [];
  for (const node of graph.nodes) if (node.expression) collectRelus(node.expression, reluArguments);
  const gradients = problem.wrt.flatMap((name) => {
    const node = withGradients.gradientNode(name);
    return node ? [{ name, label: graph.node(graph.resolve(name)!).label, id: node.id }] : [];
  });
  const decimal = decimalNodes(withGradients);
  const decimalLabels = {
    loss: decimal.includes(graph.loss!),
    values: new Set(graph.nodes.filter((node) => node.expression && decimal.includes(node.id)).map((node) => node.label)),
    gradients: new Set(gradients.filter((gradient) => decimal.includes(gradient.id)).map((gradient) => gradient.label)),
  };
  return { problem, graph, gradientGraph: withGradients, leaves, reluArguments, gradients, decimalNodes: decimal, decimalLabels };
}

function shapeOf(value: Problem['values'][string]): number[] {
  if (typeof value === 'number') return [];
  if (value.length === 0 || typeof value[0] === 'number') return [value.length];
  return [value.length, (value[0] as number[]).length];
}

function collectRelus(expression: Expr, found: Expr[]): void {
  if (expression.kind !== 'op') return;
  if (expression.op === 'relu' && !found.some((seen) => sameExpr(seen, expression.args[0]!))) found.push(expression.args[0]!);
  for (const arg of expression.args) collectRelus(arg, found);
}

function decimalNodes(graph: Graph): string[] {
  const decimal = new Set<string>();
  const exactExpr = (e: Expr): boolean =>
    e.kind === 'ref' || (e.kind === 'const' ? Number(e.value.toFixed(6)) === e.value : DECIMAL_OPS.has(e.op) && e.args.every(exactExpr));
  for (const node of graph.nodes) {
    if (!node.expression) decimal.add(node.id);
    else if (exactExpr(node.expression) && referencedIds(node.expression).every((id) => decimal.has(id))) decimal.add(node.id);
  }
  return graph.nodes.filter((node) => node.expression && decimal.has(node.id)).map((node) => node.id);
}
