import { ChainruleError } from '@chainrule/graph';
import type { Problem } from '@chainrule/problem';
import { type CandidateStats, type Numbers, checkCandidate } from './checks.ts';
import { CONSTRAINT_NAMES, type ConstraintName, type ConstraintsInput, type VariantConstraints, describeConstraint, resolveConstraints, weightGrid } from './constraints.ts';
import { type AnswerKey, type KeySolver, answerKey } from './key.ts';
import { type ProblemAnalysis, type VariedLeaf, analyseProblem } from './analyse.ts';
import { type SeededPicker, seededPicker } from './random.ts';

/** Most variants one call makes. @example generateVariants(problem, { count: MAX_VARIANTS, seed: 1 }); */
export const MAX_VARIANTS = 999;
/** Candidates tried per requested variant by default before giving up. @example generateVariants(problem, { count: 5, seed: 1, maxAttempts: 5 * DEFAULT_ATTEMPTS_PER_VARIANT }); */
export const DEFAULT_ATTEMPTS_PER_VARIANT = 2_000;

/** One variant: the problem with new numbers, its answer key and what its checks measured. @example const { id, problem, key }: Variant = set.variants[0]; */
export interface Variant {
  /** `variant-01`, `variant-02`, … (zero-padded to the width of the count). */
  id: string;
  /** 1, 2, … */
  number: number;
  /** The same equations, functions, roles and `wrt` as the original; new `values`. */
  problem: Problem;
  key: AnswerKey;
  stats: CandidateStats;
}

/** The outcome of {@link generateVariants}. @example const set: VariantSet = generateVariants(problem, { count: 30, seed: 7 }); if (!set.complete) console.error(describeShortfall(set)); */
export interface VariantSet {
  seed: number;
  requested: number;
  constraints: VariantConstraints;
  variants: Variant[];
  /** Candidates drawn, and the most that were allowed. */
  attempts: number;
  maxAttempts: number;
  /** Rejected candidates per broken constraint (a candidate may break several). */
  rejected: Partial<Record<ConstraintName, number>>;
  /** True when every requested variant was made. */
  complete: boolean;
}

/** Options of {@link generateVariants}. @example const options: GenerateOptions = { count: 30, seed: 7, constraints: { inputs: { min: -2, max: 2 } } }; */
export interface GenerateOptions {
  /** How many variants (1 … {@link MAX_VARIANTS}). */
  count: number;
  /** The seed: the same seed, problem and constraints give the same variants. */
  seed: number;
  constraints?: ConstraintsInput | VariantConstraints;
  /** Candidates to try in all (default {@link DEFAULT_ATTEMPTS_PER_VARIANT} per variant). */
  maxAttempts?: number;
  /** How keys are computed (default float64 `solveProblem`; an exact solver plugs in here). */
  solver?: KeySolver;
}

/**
 * Makes `count` variants of a problem: the same equations with new numbers drawn from the
 * constraints' grids (parameters on the weight grid, inputs whole numbers, targets from the target
 * values), each checked against every constraint before it is kept, each with its answer key.
 * A candidate that breaks a constraint is never kept; when the budget runs out first, the set is
 * `complete: false` and `rejected` says which constraints failed (see {@link describeShortfall}).
 *
 * @example
 * const set = generateVariants(assignmentQ3Problem(), { count: 3, seed: 7 });
 * set.variants.map((v) => v.id);       // ['variant-01', 'variant-02', 'variant-03']
 * set.variants[0].key.gradients.W1;     // exact ∂L/∂W1 of the first variant
 * set.variants[0].key.rounded.loss;     // the loss rounded at every step to 2 decimals
 */
export function generateVariants(problem: Problem, options: GenerateOptions): VariantSet {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_VARIANTS) {
    throw new ChainruleError('problem', `count must be a whole number from 1 to ${MAX_VARIANTS} (got ${count})`, { path: ['count'] });
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ChainruleError('problem', `seed must be a whole number from 0 to 4294967295 (got ${seed})`, { path: ['seed'] });
  }
  const maxAttempts = options.maxAttempts ?? count * DEFAULT_ATTEMPTS_PER_VARIANT;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new ChainruleError('problem', `maxAttempts must be a positive whole number (got ${maxAttempts})`, { path: ['maxAttempts'] });
  }
  const constraints = resolveConstraints(options.constraints ?? {});
  const analysis = analyseProblem(problem);
  const random = seededPicker(seed);
  const grid = weightGrid(constraints);
  const seen = new Set([valuesKey(analysis, problem.values)]);
  const rejected: Partial<Record<ConstraintName, number>> = {};
  const variants: Variant[] = [];
  const width = Math.max(2, String(count).length);
  let attempts = 0;
  while (variants.length < count && attempts < maxAttempts) {
    attempts++;
    const values = drawValues(analysis.leaves, random, grid, constraints);
    const check = checkCandidate(analysis, values, constraints);
    const key = valuesKey(analysis, values);
    const failed = seen.has(key) ? [...check.failed, 'distinct' as const] : check.failed;
    if (failed.length > 0) {
      for (const name of failed) rejected[name] = (rejected[name] ?? 0) + 1;
      continue;
    }
    seen.add(key);
    const number = variants.length + 1;
    const variantProblem: Problem = { ...problem, values: { ...problem.values, ...values } };
    variants.push({
      id: `variant-${String(number).padStart(width, '0')}`,
      number,
      problem: variantProblem,
      key: answerKey(variantProblem, {
        round: constraints.round,
        ...(options.solver ? { solver: options.solver } : {}),
        ...(constraints.maxDecimals === null ? {} : { decimals: { places: constraints.maxDecimals, ...analysis.decimalLabels } }),
      }),
      stats: check.stats,
    });
  }
  return { seed, requested: count, constraints, variants, attempts, maxAttempts, rejected, complete: variants.length === count };
}

/**
 * Why a set is short, in one sentence: how many variants were made and which constraints the
 * rejected candidates broke, most often first. Undefined for a complete set.
 *
 * @example
 * describeShortfall(set);
 * // 'made 2 of 5 variants in 100 attempts; the rejected candidates broke: at least 3 inactive ReLU units (97×), …'
 */
export function describeShortfall(set: VariantSet): string | undefined {
  if (set.complete) return undefined;
  const broken = CONSTRAINT_NAMES.filter((name) => (set.rejected[name] ?? 0) > 0)
    .sort((a, b) => set.rejected[b]! - set.rejected[a]!)
    .map((name) => `${describeConstraint(name, set.constraints)} (${set.rejected[name]}×)`);
  return `made ${set.variants.length} of ${set.requested} variants in ${set.attempts} attempts; the rejected candidates broke: ${broken.join('; ')}`;
}

function drawValues(leaves: readonly VariedLeaf[], random: SeededPicker, grid: readonly number[], constraints: VariantConstraints): Record<string, Numbers> {
  const entry = (role: VariedLeaf['role']): number =>
    role === 'parameter' ? random.pick(grid) : role === 'target' ? random.pick(constraints.targets) : random.int(constraints.inputs.min, constraints.inputs.max);
  const values: Record<string, Numbers> = {};
  for (const leaf of leaves) {
    const [rows, cols] = leaf.shape;
    if (rows === undefined) values[leaf.name] = entry(leaf.role);
    else if (cols === undefined) values[leaf.name] = Array.from({ length: rows }, () => entry(leaf.role));
    else values[leaf.name] = Array.from({ length: rows }, () => Array.from({ length: cols }, () => entry(leaf.role)));
  }
  return values;
}

function valuesKey(analysis: ProblemAnalysis, values: Readonly<Record<string, Numbers>>): string {
  return JSON.stringify(analysis.leaves.map((leaf) => values[leaf.name]));
}

/**
 * New numbers for one problem — the web page's "new numbers" button: one variant that keeps
 * every constraint, or a `ChainruleError` (status 422) saying which constraints could not be met.
 * Browser-safe: no files, no workers.
 *
 * @example
 * const variant = newNumbers(assignmentQ3Problem(), { seed: Date.now() >>> 0 });
 * variant.problem.values.W1; // new weights on the 0.05 grid
 * variant.key.gradients.W1;  // and their exact gradient
 */
export function newNumbers(problem: Problem, options: Omit<GenerateOptions, 'count'>): Variant {
  const set = generateVariants(problem, { ...options, count: 1 });
  if (!set.complete) throw new ChainruleError('problem', `no variant keeps the constraints: ${describeShortfall(set)}`, { path: ['constraints'] });
  return set.variants[0]!;
}
