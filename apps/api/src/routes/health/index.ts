import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv, Deps } from '../../context.ts';

const HealthSchema = z
  .object({
    status: z.literal('ok'),
    uptimeSeconds: z.number().describe('Seconds since the process started'),
    heavyInFlight: z.object({ current: z.number().int(), limit: z.number().int() }).describe('Heavy requests (on a pool) in flight, and the limit'),
    compute: z
      .object({ size: z.number().int(), workers: z.number().int(), busy: z.number().int(), queued: z.number().int() })
      .describe('The compute pool (gradient checks)'),
    tasks: z.object({ size: z.number().int(), workers: z.number().int(), busy: z.number().int(), queued: z.number().int() }).describe('How the API runs its own heavy tasks (large backprops, SVG, rendering): the compute pool by default'),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['service'],
  summary: 'Liveness and load',
  description: 'Answers from the event loop without touching a pool: its latency is the latency of the event loop.',
  responses: { 200: { description: 'The service is up', content: { 'application/json': { schema: HealthSchema } } } },
});

/**
 * `GET /health`.
 *
 * @example
 * app.route('/', healthRoutes(deps));
 */
export function healthRoutes(deps: Deps) {
  return new OpenAPIHono<AppEnv>().openapi(route, (c) => {
    const { size, workers, busy, queued } = deps.pool.stats();
    const tasks = deps.tasks.stats();
    return c.json(
      {
        status: 'ok' as const,
        uptimeSeconds: Math.round(process.uptime() * 1000) / 1000,
        heavyInFlight: { current: deps.heavy.inUse, limit: deps.heavy.limit },
        compute: { size, workers, busy, queued },
        tasks: { size: tasks.size, workers: tasks.workers, busy: tasks.busy, queued: tasks.queued },
      },
      200,
    );
  });
}
