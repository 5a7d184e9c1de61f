/**
 * The gradient check: central finite differences of the loss over every element of every
 * parameter, against the symbolic gradients (or gradients given, such as a student's). Inline,
 * or split across the workers of a compute pool (`tasks.ts`).
 */
import type { TaskPool } from '@chainrule/compute';
import { ChainruleError, type NestedArray, Tensor, TensorValueError, describeShape, fromFlat, tensor } from '@chainrule/tensor';
import { prepareProblem } from './prepared.ts';
import { type Problem, type ProblemInput, type SolvedProblem, parseProblem } from './problem.ts';

/** This package's task module beside this file: `tasks.ts` in the workspace, `tasks.js` built. */
const TASKS_MODULE = new URL('./tasks' + import.meta.url.slice(import.meta.url.lastIndexOf('.')), import.meta.url);

/**
 * A gradient check goes to the pool from this many parameter elements on (each costs two forward
 * passes). Measured by `bench/threshold.ts` on a two-layer network: 49 elements are 1.4× slower
 * on the pool, 81 1.2× faster.
 *
 * @example
 * await gradientCheck(problem, { pool, threshold: GRADIENT_CHECK_POOL_THRESHOLD * 2 });
 */
export const GRADIENT_CHECK_POOL_THRESHOLD = 64;

/** Where work ran, and how to choose it. */
export interface WorkOptions {
  /** Runs large work on these workers; without a pool everything runs inline. */
  pool?: TaskPool | undefined;
  /** `auto` (default) compares the size with the threshold; `inline` and `pool` force a path (`pool` needs a pool). */
  mode?: 'auto' | 'inline' | 'pool' | undefined;
  /** Overrides the size from which `auto` goes to the pool. */
  threshold?: number | undefined;
  /** Cancels the work: before it starts inline, or on the pool (see `ComputePool.tasks`). */
  signal?: AbortSignal | undefined;
  /** Timeout of the work on the pool, in ms (the pool's by default). */
  timeoutMs?: number | undefined;
}

/**
 * Options of {@link gradientCheck}.
 *
 * @example
 * await gradientCheck(problem, { h: 1e-5, tolerance: 1e-5, gradients: { W1: studentAnswer }, pool });
 */
export interface GradientCheckOptions extends WorkOptions {
  /** Step of the central differences (default 1e-6). */
  h?: number;
  /** Largest relative error that passes (default 1e-5: central differences with h = 1e-6 carry errors of a few 1e-6 on sigmoid networks). */
  tolerance?: number;
  /**
   * Absolute floor of the denominator of the relative error |n − s| / max(|n|, |s|, floor)
   * (default 1e-4·max(1, |L|)): the roundoff of L(θ ± h) grows with |L|, and a difference of
   * derivatives below it is noise of the finite differences, not a wrong gradient.
   */
  floor?: number;
  /** Gradients to check instead of the symbolic ones, by parameter name (e.g. a student's answer). */
  gradients?: Readonly<Record<string, NestedArray>>;
}

/**
 * How one parameter fared in a gradient check: its worst element.
 *
 * @example
 * // { name: 'W1', shape: [3, 2], maxRelativeError: 5.6e-10, index: [2, 1], numeric: -0.01024, symbolic: -0.01024, pass: true }
 */
export interface ParameterCheck {
  /** The parameter as the equations write it. */
  name: string;
  shape: number[];
  /** The worst relative error over its elements (0 for an empty parameter). */
  maxRelativeError: number;
  /** Where the worst element is: `[i, j]` in a matrix, `[i]` in a vector, `[]` for a scalar. */
  index: number[];
  /** Finite-difference and checked (symbolic) derivative at `index`. */
  numeric: number;
  symbolic: number;
  pass: boolean;
}

/**
 * The result of {@link gradientCheck}.
 *
 * @example
 * const { pass, parameters } = await gradientCheck(problem);
 * for (const p of parameters) if (!p.pass) console.log(`${p.name}[${p.index.join(', ')}]: ${p.symbolic} vs ${p.numeric}`);
 */
export interface GradientCheckResult {
  pass: boolean;
  /** The worst relative error over all parameters. */
  maxRelativeError: number;
  parameters: ParameterCheck[];
  /** The finite-difference gradients, keyed like `solveProblem`'s gradients. */
  numeric: Record<string, number | number[] | number[][]>;
  loss: number;
  h: number;
  tolerance: number;
  floor: number;
  /** Where the differences were computed. */
  ranOn: 'inline' | 'pool';
}

/**
 * True when work of this size runs inline: no pool, `inline` asked, or `auto` below the threshold.
 *
 * @example
 * runsInline({ pool }, inputs.length, BATCH_POOL_THRESHOLD); // false from 48 items on
 */
export function runsInline(options: WorkOptions, size: number, threshold: number): boolean {
  const mode = options.mode ?? 'auto';
  if (mode === 'pool' && !options.pool) throw new ChainruleError('internal', "mode 'pool' needs a pool");
  return !options.pool || mode === 'inline' || (mode === 'auto' && size < (options.threshold ?? threshold));
}

/**
 * Checks the gradients of a problem by central finite differences over every element of every
 * parameter in `wrt`, against the symbolic gradients (or against `options.gradients`). With a
 * pool, from {@link GRADIENT_CHECK_POOL_THRESHOLD} parameter elements on, the elements are split
 * across its workers; the graphs are prepared once on each thread.
 *
 * @example
 * const check = await gradientCheck({
 *   equations: ['L = 1/2 ||y - yhat||^2', 'y = W2 h + b2', 'h = sigmoid(W1 x + b1)'],
 *   values: { W1: [[0.1, 0.2], [0.3, 0.4]], b1: [0, 0], W2: [[1, -1]], b2: [0], x: [1, 2], yhat: [1] },
 *   wrt: ['W1', 'b1', 'W2', 'b2'],
 * }, { pool: getDefaultPool() });
 * check.pass; // true
 */
export async function gradientCheck(input: ProblemInput | Problem, options: GradientCheckOptions = {}): Promise<GradientCheckResult> {
  const h = options.h ?? 1e-6;
  const tolerance = options.tolerance ?? 1e-5;
  if (!(h > 0)) throw new ChainruleError('problem', `gradient check: h must be a positive number, got ${h}`);
  const problem = parseProblem(input);
  const solved = prepareProblem(problem).solve(problem);
  const parameters = problem.wrt.map((name, index) => checkedParameter(solved, name, index, options.gradients));
  const total = parameters.reduce((sum, p) => sum + p.value.size, 0);
  const floor = options.floor ?? 1e-4 * Math.max(1, Math.abs(solved.result.loss));

  let numeric: Float64Array;
  let ranOn: GradientCheckResult['ranOn'];
  if (runsInline(options, total, GRADIENT_CHECK_POOL_THRESHOLD)) {
    options.signal?.throwIfAborted();
    numeric = finiteDifferences({ problem, start: 0, end: total, h });
    ranOn = 'inline';
  } else {
    const chunks = options.pool!.split(total).map(([start, end]) => ({ problem, start, end, h }));
    const parts = await options.pool!.tasks<Float64Array>(TASKS_MODULE, 'gradientCheck', chunks, {
      transfer: true,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    numeric = new Float64Array(total);
    let offset = 0;
    for (const part of parts) {
      numeric.set(part, offset);
      offset += part.length;
    }
    ranOn = 'pool';
  }

  const result: GradientCheckResult = { pass: true, maxRelativeError: 0, parameters: [], numeric: {}, loss: solved.result.loss, h, tolerance, floor, ranOn };
  let offset = 0;
  for (const { label, value, checked } of parameters) {
    const slice = numeric.slice(offset, offset + value.size);
    offset += value.size;
    let worst = 0;
    let at = 0;
    for (let i = 0; i < slice.length; i++) {
      const n = slice[i]!;
      const s = checked.data[i]!;
      let error = Math.abs(n - s) / Math.max(Math.abs(n), Math.abs(s), floor);
      if (Number.isNaN(error)) error = n === s ? 0 : Number.POSITIVE_INFINITY;
      if (error > worst) [worst, at] = [error, i];
    }
    const pass = worst <= tolerance;
    result.parameters.push({
      name: label,
      shape: [...value.shape],
      maxRelativeError: worst,
      index: value.rank === 2 ? [Math.floor(at / value.cols), at % value.cols] : value.rank === 1 ? [at] : [],
      numeric: slice[at] ?? 0,
      symbolic: checked.data[at] ?? 0,
      pass,
    });
    result.numeric[label] = fromFlat(slice, value.shape).toArray();
    result.pass &&= pass;
    result.maxRelativeError = Math.max(result.maxRelativeError, worst);
  }
  return result;
}

/** One chunk of a gradient check: the parameter elements [start, end) of the problem. */
export interface DifferencesChunk {
  problem: Problem;
  start: number;
  end: number;
  h: number;
}

/**
 * Central differences (L(θ+h) − L(θ−h)) / (2h) of the loss for the parameter elements
 * [start, end) of the problem, counting through the parameters of `wrt` in order, each
 * row-major. Returns one derivative per element. The same code inline and in a worker.
 *
 * @example
 * finiteDifferences({ problem, start: 0, end: 12, h: 1e-6 }); // Float64Array(12)
 */
export function finiteDifferences({ problem, start, end, h }: DifferencesChunk): Float64Array {
  const prepared = prepareProblem(problem);
  const { loss, parameters } = prepared;
  const leaves = new Map<string, Tensor>();
  for (const [name, value] of Object.entries(problem.values)) leaves.set(prepared.leafKey(name, ['values', name]), tensor(value));
  // The loss needs the forward graph only: the gradient nodes are not evaluated here.
  const lossAt = () => prepared.evaluate(leaves, { gradients: false }).get(loss)!.data[0]!;

  const out = new Float64Array(end - start);
  let offset = 0;
  for (const parameter of parameters) {
    const value = leaves.get(parameter.key);
    if (!value) throw new ChainruleError('value', `no value given for parameter '${parameter.label}'`, { path: ['values', parameter.label] });
    for (let g = Math.max(start, offset); g < Math.min(end, offset + value.size); g++) {
      const i = g - offset;
      const original = value.data[i]!;
      const up = original + h;
      const down = original - h;
      value.data[i] = up;
      const lossUp = lossAt();
      value.data[i] = down;
      const lossDown = lossAt();
      value.data[i] = original;
      // up − down is the step actually taken: 2h rounded at the magnitude of θ.
      out[g - start] = (lossUp - lossDown) / (up - down);
    }
    offset += value.size;
  }
  return out;
}

interface CheckedParameter {
  label: string;
  value: Tensor;
  checked: Tensor;
}

function checkedParameter(solved: SolvedProblem, name: string, index: number, overrides: Readonly<Record<string, NestedArray>> | undefined): CheckedParameter {
  const prepared = prepareProblem(solved.problem);
  const { graph, values } = solved;
  const parameter = prepared.parameters[index]!;
  const node = graph.node(parameter.key);
  if (node.expression) {
    throw new ChainruleError('problem', `'${name}' is computed by an equation; a gradient check can only perturb given values`, { path: ['wrt', index] });
  }
  const value = values.get(parameter.key)!;
  let checked: Tensor | undefined;
  for (const [given, gradient] of Object.entries(overrides ?? {})) {
    if (graph.resolve(given) !== parameter.key) continue;
    try {
      checked = tensor(gradient);
    } catch (error) {
      if (error instanceof TensorValueError) throw new ChainruleError('value', `the gradient given for '${given}': ${error.message}`, { path: ['gradients', given] });
      throw error;
    }
    if (checked.size !== value.size) {
      throw new ChainruleError('shape', `the gradient given for '${given}' has shape ${describeShape(checked.shape)}, the parameter ${describeShape(value.shape)}`, {
        path: ['gradients', given],
      });
    }
  }
  checked ??= parameter.gradientId === undefined ? new Tensor(new Float64Array(value.size), value.shape) : values.get(parameter.gradientId)!;
  return { label: node.label, value, checked };
}
