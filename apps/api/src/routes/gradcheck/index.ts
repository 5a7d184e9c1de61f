import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { gradcheck } from '@chainrule/service';
import { type AppEnv, type Deps, jsonBody, serviceOptions } from '../../context.ts';
import { BODY_ERRORS, Numbers, ProblemFile, errorResponses } from '../../schemas.ts';

const GradcheckRequest = z
  .object({
    problem: ProblemFile,
    h: z.number().positive().max(1).optional().describe('Step of the central differences (default 1e-6)'),
    tolerance: z.number().positive().optional().describe('Largest relative error that passes (default 1e-6)'),
    floor: z.number().positive().optional().describe('Absolute floor of the denominator of the relative error (default 1e-4)'),
    gradients: z.record(z.string(), Numbers).optional().describe("Gradients to check instead of the symbolic ones, by parameter name (e.g. a student's answer)"),
  })
  .strict()
  .openapi('GradcheckRequest');

const finite = z.number().nullable().describe('null when not finite');
const GradcheckResult = z
  .object({
    pass: z.boolean(),
    maxRelativeError: finite,
    parameters: z.array(
      z.object({
        name: z.string(),
        shape: z.array(z.number().int()),
        maxRelativeError: finite,
        index: z.array(z.number().int()).describe('Where the worst element is'),
        numeric: finite,
        symbolic: finite,
        pass: z.boolean(),
      }),
    ),
    numeric: z.record(z.string(), Numbers).describe('The finite-difference gradients'),
    loss: z.number(),
    h: z.number(),
    tolerance: z.number(),
    floor: z.number(),
    ranOn: z.enum(['inline', 'pool']),
  })
  .openapi('GradcheckResult');

const route = createRoute({
  method: 'post',
  path: '/v1/gradcheck',
  tags: ['backprop'],
  summary: 'Finite-difference check of the gradients',
  description:
    'Central differences of the loss over every entry of every parameter in `wrt`, compared with the symbolic gradients (or with `gradients`, e.g. a student’s). Runs on the compute pool, the whole check in one of its workers; counts against the heavy-request limit.',
  middleware: [jsonBody()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: GradcheckRequest } } } },
  responses: {
    200: { description: 'The check', content: { 'application/json': { schema: GradcheckResult } } },
    ...errorResponses(...BODY_ERRORS),
  },
});

/**
 * `POST /v1/gradcheck`, on the compute pool.
 *
 * @example
 * app.route('/', gradcheckRoutes(deps));
 */
export function gradcheckRoutes(deps: Deps) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const { problem, h, tolerance, floor, gradients } = c.req.valid('json');
    const request = {
      problem,
      ...(h === undefined ? {} : { h }),
      ...(tolerance === undefined ? {} : { tolerance }),
      ...(floor === undefined ? {} : { floor }),
      ...(gradients === undefined ? {} : { gradients }),
    };
    return c.json(await gradcheck(request, serviceOptions(deps, c, deps.pool)), 200);
  });
}
