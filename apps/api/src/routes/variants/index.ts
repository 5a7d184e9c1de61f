import { taskModule } from '@chainrule/compute';
import { checkProblemLimits, estimateProblem } from '@chainrule/service';
import { DEFAULT_ATTEMPTS_PER_VARIANT, constraintsSchema, resolveConstraints, variantSource } from '@chainrule/variants';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { type AppEnv, type Deps, heavy, jsonBody } from '../../context.ts';
import { apiError } from '../../problem.ts';
import { BODY_ERRORS, ProblemFile, ProblemResultSchema, errorResponses, named } from '../../schemas.ts';
import type { VariantsAnswer, VariantsTaskInput } from './task.ts';

const TASK_MODULE = taskModule(import.meta.url, 'task');

/** The bounds of `POST /v1/variants` (an option of {@link variantsRoutes}, so tests can shrink them). @example const limits: VariantsLimits = { maxCount: 10, maxAttempts: 5000, maxWork: 1e7 }; */
export interface VariantsLimits {
  /** Most variants per request. */
  maxCount: number;
  /** Most candidates one request may try. */
  maxAttempts: number;
  /**
   * Most operations one request may spend: candidates × the work of one candidate, which is two
   * forward and backward passes (the exact and the rounded path) of the problem's estimate
   * (`operations` of `estimateProblem`: multiply-adds and entries of every intermediate).
   */
  maxWork: number;
}

/**
 * The default bounds: 50 variants (a class is graded from a folder; ask again with another seed
 * for more), 20 000 candidates (Question 3 needs about 12 per variant; 20 000 take a worker a few
 * seconds, inside the request deadline), and 5·10⁷ operations (a Question 3 candidate is ~600).
 *
 * @example
 * variantsRoutes(deps, { ...DEFAULT_VARIANTS_LIMITS, maxCount: 10 });
 */
export const DEFAULT_VARIANTS_LIMITS: Readonly<VariantsLimits> = Object.freeze({ maxCount: 50, maxAttempts: 20_000, maxWork: 5e7 });

const VariantConstraints = named(constraintsSchema, 'VariantConstraints', {
  description: 'What makes a variant good for hand calculation; every field optional, the defaults are the sheet’s',
  example: { weights: { min: -1, max: 1, step: 0.05 }, inputs: { min: 1, max: 4 }, reluMargin: 0.1, maxRoundingError: 0.05 },
});

const VariantsRequest = z
  .object({
    problem: z.union([z.enum(['q1', 'q3']), ProblemFile]).describe('A problem file with values (each keeps its shape), or "q1" / "q3" of Assignment 9'),
    count: z.number().int().min(1).describe('How many variants'),
    seed: z.number().int().min(0).max(0xffffffff).default(1).describe('The same seed gives the same variants'),
    constraints: VariantConstraints.optional(),
    maxAttempts: z.number().int().min(1).optional().describe(`Candidates to try in all (default ${DEFAULT_ATTEMPTS_PER_VARIANT} per variant, within the route's bound)`),
    sheets: z.enum(['md', 'latex']).optional().describe('Also render each variant’s student sheet and worked key in this format'),
  })
  .strict()
  .openapi('VariantsRequest', { example: { problem: 'q3', count: 3, seed: 7 } });

const VariantsResponse = z
  .object({
    seed: z.number().int(),
    requested: z.number().int(),
    complete: z.boolean().describe('Every requested variant was made'),
    shortfall: z.string().optional().describe('When incomplete: how many were made and which constraints the rejected candidates broke'),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    rejected: z.record(z.string(), z.number().int()).describe('Rejected candidates per broken constraint'),
    constraints: z.record(z.string(), z.unknown()).describe('The constraints applied, defaults filled in'),
    variants: z.array(
      z.object({
        id: z.string().openapi({ example: 'variant-01' }),
        problem: ProblemFile,
        key: ProblemResultSchema.extend({ rounded: ProblemResultSchema.extend({ decimals: z.number().int() }) }),
        checks: z.record(z.string(), z.union([z.number(), z.null()])).describe('What the checks measured: ReLU units, inactive units, smallest margin, largest rounding error'),
        sheets: z.object({ format: z.enum(['md', 'latex']), student: z.string(), key: z.string() }).optional(),
      }),
    ),
    csv: z.string().describe('The index of the set as variants.csv'),
  })
  .openapi('Variants');

const route = createRoute({
  method: 'post',
  path: '/v1/variants',
  tags: ['variants'],
  summary: 'Exam variants: new numbers for a problem, each with its answer key',
  description:
    'The same equations with new values for every student, each kept only when it meets every constraint (weights on a grid, whole inputs, targets 0/1, ReLU pre-activations away from 0 on the exact and the rounded path, an inactive unit, a bounded rounding drift, short decimals, no all-zero gradient, all distinct). Each variant comes with its answer key: exact, with the path rounded at every step beside it. Generated on a worker; bounded in count, candidates and work. When the budget runs out the answer says which constraints failed (`complete: false`, `shortfall`); when no variant could be made it is 422.',
  middleware: [jsonBody()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: VariantsRequest } } } },
  responses: {
    200: { description: 'The variants', content: { 'application/json': { schema: VariantsResponse } } },
    ...errorResponses(...BODY_ERRORS),
  },
});

/**
 * `POST /v1/variants`.
 *
 * @example
 * app.route('/', variantsRoutes(deps));
 */
export function variantsRoutes(deps: Deps, limits: VariantsLimits = DEFAULT_VARIANTS_LIMITS) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const body = c.req.valid('json');
    if (body.count > limits.maxCount) {
      throw apiError('limit', `${body.count} variants; at most ${limits.maxCount} per request (ask again with another seed for more)`, {
        location: { path: ['count'] },
        extensions: { limit: limits.maxCount },
      });
    }
    if (typeof body.problem !== 'string') checkProblemLimits(body.problem, deps.limits);
    const constraints = resolveConstraints(body.constraints ?? {}, ['constraints']);
    const work = Math.max(1, 2 * estimateProblem(variantSource(body.problem).problem).operations);
    const bound = Math.max(1, Math.min(limits.maxAttempts, Math.floor(limits.maxWork / work)));
    const maxAttempts = body.maxAttempts ?? Math.min(body.count * DEFAULT_ATTEMPTS_PER_VARIANT, bound);
    if (maxAttempts > bound) {
      throw apiError('limit', `${maxAttempts} attempts; at most ${bound} for this problem (${limits.maxAttempts} in all, ${limits.maxWork} operations of work)`, {
        location: { path: ['maxAttempts'] },
        extensions: { limit: bound },
      });
    }
    const input: VariantsTaskInput = { problem: body.problem, count: body.count, seed: body.seed, constraints, maxAttempts, ...(body.sheets ? { sheets: body.sheets } : {}) };
    const answer = await heavy(deps, () => deps.tasks.task<VariantsAnswer>(TASK_MODULE, 'variants', input, { signal: c.var.deadline.signal }));
    if (answer.variants.length === 0) {
      throw apiError('problem', `no variant keeps the constraints: ${answer.shortfall}`, { location: { path: ['constraints'] }, extensions: { rejected: answer.rejected } });
    }
    return c.json(answer, 200);
  });
}
