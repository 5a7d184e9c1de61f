import { ChainruleError } from '@chainrule/graph';
import { fromZodError } from '@chainrule/problem';
import { z } from 'zod';

const finite = z.number().finite();
const bounded = z.number().min(-1e6).max(1e6);
const wholeBounded = z.number().int().min(-1e6).max(1e6);

/**
 * What makes a variant good for hand calculation, every part configurable. The defaults are the
 * sheet's: weights on a 0.05 grid in [−1, 1], small whole inputs, targets 0/1, and the checks that
 * keep exact and rounded paths in step.
 *
 * @example
 * constraintsSchema.parse({ reluMargin: 0.2 }).weights.step; // 0.05
 */
export const constraintsSchema = z
  .object({
    weights: z
      .object({
        min: bounded.default(-1),
        max: bounded.default(1),
        step: finite.positive().default(0.05),
      })
      .strict()
      .default({ min: -1, max: 1, step: 0.05 })
      .describe('Parameters (weights, biases): multiples of `step` in [min, max]'),
    inputs: z
      .object({ min: wholeBounded.default(1), max: wholeBounded.default(4) })
      .strict()
      .default({ min: 1, max: 4 })
      .describe('Inputs: whole numbers in [min, max]'),
    targets: z.array(finite).min(1).max(16).default([0, 1]).describe('Targets: each entry one of these values'),
    reluMargin: finite.nonnegative().default(0.1).describe('Every pre-activation of a ReLU at least this far from 0, on the exact and the rounded path'),
    minInactive: z.number().int().nonnegative().default(1).describe('Inactive ReLU units at least (only where the network has ReLUs)'),
    round: z.number().int().min(0).max(12).default(2).describe('Decimals the student rounds every intermediate result to'),
    maxRoundingError: finite.nonnegative().default(0.05).describe('Largest |exact − rounded| of any gradient entry'),
    maxDecimals: z.number().int().min(0).max(12).nullable().default(4).describe('Exact values with at most this many decimals where the ops allow it (null: no check)'),
    nonZeroGradients: z.boolean().default(true).describe('No gradient all zero (exact or rounded)'),
  })
  .strict();

/** Constraints as written: every field optional. @example const input: ConstraintsInput = { weights: { step: 0.1 }, minInactive: 2 }; */
export type ConstraintsInput = z.input<typeof constraintsSchema>;
/** Constraints with every default filled in. @example const constraints: VariantConstraints = resolveConstraints(); */
export type VariantConstraints = z.output<typeof constraintsSchema>;

/**
 * The constraints a variant is checked against, by name (the names of failure counts).
 *
 * @example
 * CONSTRAINT_NAMES.includes('reluMargin'); // true
 */
export const CONSTRAINT_NAMES = ['finite', 'reluMargin', 'minInactive', 'maxRoundingError', 'maxDecimals', 'nonZeroGradients', 'distinct'] as const;
/** The name of one constraint. @example const name: ConstraintName = 'reluMargin'; */
export type ConstraintName = (typeof CONSTRAINT_NAMES)[number];

/**
 * Validates constraints (parsed JSON or CLI options) and fills in the defaults; a fault is a
 * `ChainruleError` with the JSON path, e.g. `weights.step`.
 *
 * @example
 * resolveConstraints({ weights: { step: 0.1 } }).weights; // { min: -1, max: 1, step: 0.1 }
 * resolveConstraints().maxRoundingError; // 0.05
 * resolveConstraints(body.constraints, ['constraints']); // faults located as constraints.weights.step
 */
export function resolveConstraints(input: unknown = {}, pathPrefix: readonly (string | number)[] = []): VariantConstraints {
  const parsed = constraintsSchema.safeParse(input);
  if (!parsed.success) throw fromZodError(parsed.error, pathPrefix);
  const constraints = parsed.data;
  const { min, max, step } = constraints.weights;
  const fault = (path: string[], message: string) => new ChainruleError('problem', message, { path: [...pathPrefix, ...path] });
  if (min > max) throw fault(['weights', 'min'], `${min} is larger than weights.max (${max})`);
  const size = Math.floor(max / step + 1e-9) - Math.ceil(min / step - 1e-9) + 1;
  if (size <= 0) throw fault(['weights', 'step'], `no multiple of ${step} lies in [${min}, ${max}]`);
  if (size > MAX_GRID) throw fault(['weights', 'step'], `a step of ${step} in [${min}, ${max}] gives ${size} grid values; at most ${MAX_GRID}`);
  if (constraints.inputs.min > constraints.inputs.max) {
    throw fault(['inputs', 'min'], `${constraints.inputs.min} is larger than inputs.max (${constraints.inputs.max})`);
  }
  return constraints;
}

/**
 * The grid of parameter values: the multiples of `weights.step` in [min, max], each written with
 * the step's decimals (0.15, not 0.15000000000000002).
 *
 * @example
 * weightGrid(resolveConstraints({ weights: { min: 0, max: 0.2, step: 0.1 } })); // [0, 0.1, 0.2]
 */
export function weightGrid(constraints: Pick<VariantConstraints, 'weights'>): number[] {
  const { min, max, step } = constraints.weights;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const decimals = decimalsOf(step);
  const grid: number[] = [];
  for (let k = first; k <= last; k++) grid.push(Number((k * step).toFixed(decimals)) + 0);
  return grid;
}

const MAX_GRID = 100_000;

/** Decimals a number is written with: 0.05 → 2, 3 → 0, 1e-7 → 7. */
function decimalsOf(value: number): number {
  for (let d = 0; d <= 12; d++) if (Math.abs(Number(value.toFixed(d)) - value) <= 1e-12 * Math.max(1, Math.abs(value))) return d;
  return 12;
}

/**
 * One constraint in words, with its setting, for messages and sheets.
 *
 * @example
 * describeConstraint('reluMargin', resolveConstraints()); // 'every ReLU pre-activation at least 0.1 away from 0 (exact and rounded)'
 */
export function describeConstraint(name: ConstraintName, constraints: VariantConstraints): string {
  switch (name) {
    case 'finite':
      return 'every value computes (no log of 0, no division by 0, no overflow)';
    case 'reluMargin':
      return `every ReLU pre-activation at least ${constraints.reluMargin} away from 0 (exact and rounded)`;
    case 'minInactive':
      return `at least ${constraints.minInactive} inactive ReLU unit${constraints.minInactive === 1 ? '' : 's'}`;
    case 'maxRoundingError':
      return `rounding to ${constraints.round} decimals at every step moves no gradient entry by more than ${constraints.maxRoundingError}`;
    case 'maxDecimals':
      return `exact values with at most ${constraints.maxDecimals} decimals where the ops allow it`;
    case 'nonZeroGradients':
      return 'no gradient all zero (exact or rounded)';
    case 'distinct':
      return 'different from the original and from every other variant';
  }
}
