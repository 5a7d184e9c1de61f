import { type BuildOptions, FUNCTIONS, type Graph, canonicalName, evaluate, gradientGraph, graphFromEquations, parseEquations } from '@chainrule/graph';
import { ChainruleError, type Tensor } from '@chainrule/tensor';
import { z } from 'zod';
import { parseJson } from './json.ts';
import { fromZodError } from './validation.ts';

const numberArray = z.array(z.number());
/** A value in a problem file: a number, a vector, or a matrix as an array of rows. */
export const valueSchema = z.union([z.number(), numberArray, z.array(numberArray)]);

/** The problem file, shared by the CLI and the API. */
export const problemSchema = z
  .object({
    equations: z.union([z.string(), z.array(z.string())]).describe('One equation per line (or per element), ASCII, Unicode or LaTeX'),
    functions: z
      .record(z.string(), z.enum(Object.keys(FUNCTIONS) as [keyof typeof FUNCTIONS, ...(keyof typeof FUNCTIONS)[]]))
      .optional()
      .describe('Bindings of function names, e.g. {"f": "relu"}'),
    values: z.record(z.string(), valueSchema).default({}).describe('Values of the leaves: numbers, vectors, matrices as arrays of rows'),
    wrt: z.array(z.string()).default([]).describe('The parameters to compute gradients for'),
    roles: z.record(z.string(), z.enum(['input', 'parameter', 'target'])).optional().describe('Override the role of a leaf'),
    loss: z.string().optional().describe('The loss node (default: the node nothing else uses)'),
  })
  .strict();

/** A problem file as written. */
export type ProblemInput = z.input<typeof problemSchema>;
/** A validated problem. */
export type Problem = z.output<typeof problemSchema>;

/** The result of a problem, keys named exactly as in the equations. */
export interface ProblemResult {
  loss: number;
  values: Record<string, number | number[] | number[][]>;
  gradients: Record<string, number | number[] | number[][]>;
}

/** Everything computed for a problem: both graphs, every value, and the result. */
export interface SolvedProblem {
  problem: Problem;
  graph: Graph;
  gradientGraph: Graph;
  /** Values of every node, forward and gradient, by node id. */
  values: Map<string, Tensor>;
  result: ProblemResult;
}

/**
 * Validates a problem file (an object parsed from JSON). Errors carry the JSON path of the fault.
 *
 * @example
 * parseProblem({ equations: 'y = W x', values: { W: [[1]], x: [2] }, wrt: ['W'] });
 */
export function parseProblem(input: unknown): Problem {
  const parsed = problemSchema.safeParse(input);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/** Builds the forward graph of a validated problem, with equation errors located in the problem file. @example problemGraph(parseProblem(json)) */
export function problemGraph(problem: Problem, options: Pick<BuildOptions, 'wrt'> = {}): Graph {
  let equations;
  try {
    equations = parseEquations(problem.equations);
  } catch (error) {
    throw withEquationPath(error, problem);
  }
  const buildOptions: BuildOptions = { wrt: options.wrt ?? problem.wrt };
  if (problem.functions) buildOptions.functions = problem.functions;
  if (problem.roles) buildOptions.roles = problem.roles;
  if (problem.loss !== undefined) buildOptions.loss = problem.loss;
  try {
    return graphFromEquations(equations, buildOptions);
  } catch (error) {
    throw withEquationPath(error, problem);
  }
}

/** Points a line/column error at the right place of the problem file: `equations[2]` when equations is an array. */
function withEquationPath(error: unknown, problem: Problem): unknown {
  if (!(error instanceof ChainruleError) || error.location.line === undefined) return error;
  const path = Array.isArray(problem.equations) ? ['equations', error.location.line - 1] : ['equations'];
  return new ChainruleError(error.code, error.message, { ...error.location, path }, { cause: error.cause });
}

/**
 * Solves a problem: builds the graph, adds the gradient nodes, evaluates both and collects the
 * result (`loss`, `values`, `gradients`). `round` rounds every computed value to that many
 * decimals as it goes, as a student who rounds intermediate results does.
 *
 * @example
 * solveProblem(parseProblem({ equations: ['L = 1/2 ||y - yhat||^2', 'y = W x'], values: { W: [[1, 2]], x: [1, 1], yhat: [0] }, wrt: ['W'] })).result;
 * // { loss: 4.5, values: { y: [3], L: 4.5 }, gradients: { W: [[3, 3]] } }
 */
export function solveProblem(problem: Problem, options: { round?: number } = {}): SolvedProblem {
  const graph = problemGraph(problem);
  checkValueNames(problem, graph);
  problem.wrt.forEach((name, index) => {
    const key = graph.has(name) ? name : canonicalName(name).key;
    if (!graph.has(key)) throw new ChainruleError('problem', `'${name}' is not a name in the equations`, { path: ['wrt', index] });
  });
  if (graph.loss === undefined) {
    throw new ChainruleError('problem', 'cannot tell which node is the loss: several nodes are unused; name it with "loss"', { path: ['loss'] });
  }
  const withGradients = gradientGraph(graph, problem.wrt);
  let values: Map<string, Tensor>;
  try {
    values = evaluate(withGradients, problem.values, options.round === undefined ? {} : { round: options.round });
  } catch (error) {
    throw withEquationPath(error, problem);
  }

  const result: ProblemResult = { loss: values.get(graph.loss)!.data[0]!, values: {}, gradients: {} };
  for (const node of graph.nodes) {
    if (node.expression) result.values[node.label] = values.get(node.id)!.toArray();
  }
  for (const name of problem.wrt) {
    const key = graph.has(name) ? name : canonicalName(name).key;
    const gradient = withGradients.nodes.find((n) => n.gradient?.wrt === key && n.gradient?.of === graph.loss);
    // ∂L/∂L = 1; every other name in wrt has a gradient node (gradientGraph refuses the rest).
    result.gradients[graph.node(key).label] = gradient ? values.get(gradient.id)!.toArray() : 1;
  }
  return { problem, graph, gradientGraph: withGradients, values, result };
}

function checkValueNames(problem: Problem, graph: Graph): void {
  for (const name of Object.keys(problem.values)) {
    const key = graph.has(name) ? name : canonicalName(name).key;
    if (!graph.has(key)) {
      const leaves = graph.leaves().map((n) => n.label).join(', ');
      throw new ChainruleError('problem', `'${name}' is not a name in the equations (the leaves are: ${leaves})`, { path: ['values', name] });
    }
    const node = graph.node(key);
    if (node.expression) {
      throw new ChainruleError('problem', `'${name}' is computed by line ${node.equation?.line} (${node.equation?.source}); it cannot be given a value`, {
        path: ['values', name],
      });
    }
  }
}

/**
 * Reads a problem from file text: a JSON problem file, or (text not starting with `{`) bare
 * equations in ASCII, Unicode or LaTeX, which make a problem without values.
 *
 * @example
 * problemFromText(fs.readFileSync('q2.tex', 'utf8'), 'q2.tex').equations;
 */
export function problemFromText(text: string, source = 'input'): Problem {
  if (text.trimStart().startsWith('{')) return parseProblem(parseJson(text, source));
  return parseProblem({ equations: text });
}
