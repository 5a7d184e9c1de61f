/**
 * @chainrule/client — a typed client of the chainrule HTTP API: Hono's RPC client over the
 * API's routes, so requests and JSON responses are checked against the schemas the server
 * validates with. `fetch`-based (Node 20, browsers, workers); no server code inside.
 */
import type { Hono } from 'hono';
import { type ClientRequestOptions, hc } from 'hono/client';
import type { ApiRoutes } from './routes.ts';

export type { ApiRoutes } from './routes.ts';
export type { ClientRequestOptions, ClientResponse, InferRequestType, InferResponseType } from 'hono/client';

/** The API as a type: what `hc` needs to type the client (its routes; no server code). */
export type ApiApp = Hono<{}, ApiRoutes, '/'>;

/**
 * The typed client: one property per path segment, one `$get`/`$post` per method.
 *
 * @example
 * const api: ChainruleClient = createClient('http://localhost:8787');
 * const res = await api.v1.solutions[':question'].$get({ param: { question: 'q3' }, query: { format: 'json' } });
 */
export type ChainruleClient = ReturnType<typeof hc<ApiApp>>;

/**
 * A client of a running chainrule API. `options.fetch` replaces the global `fetch` (an app's
 * `request` in tests, a fetch with retries); `options.headers` go with every request.
 *
 * @example
 * const api = createClient('http://localhost:8787');
 * const res = await api.v1.backprop.$post({ json: problem, query: { round: '2' } });
 * if (res.ok) console.log((await res.json()).gradients.W3);
 */
export function createClient(baseUrl: string, options?: ClientRequestOptions): ChainruleClient {
  return hc<ApiApp>(baseUrl, options);
}
