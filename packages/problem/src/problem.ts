import { FUNCTIONS, type Graph, type InexactNode, closestFunctionName, functionOp } from '@chainrule/graph';
import type { ExactTensor, Tensor } from '@chainrule/tensor';
import { z } from 'zod';
import { parseJson, refuseProtoKeys } from './json.ts';
import { prepareProblem } from './prepared.ts';
import { acceptedProblem } from './quick-check.ts';
import { fromZodError } from './validation.ts';

const numberArray = z.array(z.number());
/**
 * A value in a problem file: a number, a vector, or a matrix as an array of rows.
 *
 * @example
 * valueSchema.parse([[1, 0.5], [0.2, 0.3]]);
 */
export const valueSchema = z.union([z.number(), numberArray, z.array(numberArray)], {
  error: 'expected a number, a vector (array of numbers) or a matrix (array of rows)',
});

/** A function a name may be bound to, in any capitalisation; a misspelt one names the closest. */
function knownFunctionName(name: string, ctx: z.RefinementCtx): void {
  if (functionOp(name) !== undefined) return;
  const closest = closestFunctionName(name);
  const hint = closest === undefined ? '' : ` (did you mean ${closest}?)`;
  ctx.addIssue({ code: 'custom', message: `'${name}' is not a function chainrule knows${hint}: one of ${Object.keys(FUNCTIONS).join(', ')}` });
}

/**
 * The problem file, shared by the CLI and the API.
 *
 * @example
 * problemSchema.parse({ equations: ['L = 1/2 ||y - yhat||^2', 'y = W x'], values: { W: [[1, 2]], x: [1, 1], yhat: [0] }, wrt: ['W'] });
 */
export const problemSchema = z
  .object({
    equations: z.union([z.string(), z.array(z.string())]).describe('One equation per line (or per element), ASCII, Unicode or LaTeX'),
    functions: z
      .record(z.string(), z.string().superRefine(knownFunctionName))
      .optional()
      .describe('Bindings of function names, e.g. {"f": "relu"} (any capitalisation: "ReLU")'),
    values: z.record(z.string(), valueSchema).default({}).describe('Values of the leaves: numbers, vectors, matrices as arrays of rows'),
    wrt: z.array(z.string()).default([]).describe('The parameters to compute gradients for'),
    roles: z.record(z.string(), z.enum(['input', 'parameter', 'target'])).optional().describe('Override the role of a leaf'),
    loss: z.string().optional().describe('The loss node (default: the node nothing else uses)'),
  })
  .strict();

/** A problem file as written. @example const input: ProblemInput = { equations: 'y = W x' }; */
export type ProblemInput = z.input<typeof problemSchema>;
/** A validated problem. @example const problem: Problem = parseProblem(input); */
export type Problem = z.output<typeof problemSchema>;

/**
 * The result of a problem, keys named exactly as in the equations: the schema the API documents
 * its answers with, and the type of `solveProblem(…).result`.
 *
 * @example
 * problemResultSchema.parse(solveProblem(problem).result);
 */
export const problemResultSchema = z.object({
  loss: z.number().describe('The loss'),
  values: z.record(z.string(), valueSchema).describe('Every computed value, named as in the equations'),
  gradients: z.record(z.string(), valueSchema).describe('∂L/∂w for every w in wrt'),
});

/** The result of a problem, keys named exactly as in the equations. @example const { loss, gradients }: ProblemResult = solveProblem(problem).result; */
export type ProblemResult = z.infer<typeof problemResultSchema>;

/** Everything computed for a problem: both graphs, every value, and the result. */
export interface SolvedProblem {
  problem: Problem;
  graph: Graph;
  gradientGraph: Graph;
  /** Values of every node, forward and gradient, by node id: the nearest double of the exact value where it is exact. */
  values: Map<string, Tensor>;
  /** The exact (rational) value of every node that is exact, by node id. */
  exact: ReadonlyMap<string, ExactTensor>;
  /** The computed nodes that are float64, not exact (σ, tanh, exp, log, softmax and what follows them), in order. */
  inexact: readonly InexactNode[];
  result: ProblemResult;
}

/**
 * Validates a problem file (an object parsed from JSON). Errors carry the JSON path of the fault.
 *
 * @example
 * parseProblem({ equations: 'y = W x', values: { W: [[1]], x: [2] }, wrt: ['W'] });
 */
export function parseProblem(input: unknown): Problem {
  // A plain problem file that is valid as it is needs no pass of the schema, which explains the rest
  // (it holds no key `__proto__`: acceptedProblem refuses one).
  const accepted = acceptedProblem(input);
  if (accepted) return accepted;
  // An own key `__proto__` (JSON.parse makes one) would be dropped by validation without a word.
  refuseProtoKeys(input, 'problem');
  const parsed = problemSchema.safeParse(input);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/**
 * The forward graph of a validated problem (from the cache of prepared problems), with equation
 * errors located in the problem file; `options.wrt` marks other parameters than the problem's.
 *
 * @example
 * problemGraph(parseProblem(json)).edges();
 */
export function problemGraph(problem: Problem, options: { wrt?: readonly string[] } = {}): Graph {
  return prepareProblem(problem, options).graph;
}

/**
 * Solves a problem: the loss, every value and the gradients, from its prepared graphs (built once
 * per equations and shapes, see `prepareProblem`). Values are exact where every op on the way is
 * rational (the given numbers read as the decimals they are written as) and reported as the
 * nearest double: 3.9, not 3.9000000000000004; `inexact` names the nodes computed in float64.
 * `round` rounds every computed value to that many decimals as it goes, as a student who rounds
 * intermediate results does.
 *
 * @example
 * solveProblem(parseProblem({ equations: ['L = 1/2 ||y - yhat||^2', 'y = W x'], values: { W: [[1, 2]], x: [1, 1], yhat: [0] }, wrt: ['W'] })).result;
 * // { loss: 4.5, values: { y: [3], L: 4.5 }, gradients: { W: [[3, 3]] } }
 */
export function solveProblem(problem: Problem, options: { round?: number } = {}): SolvedProblem {
  return prepareProblem(problem).solve(problem, options);
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
