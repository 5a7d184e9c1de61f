/**
 * A typed client for TypeScript callers: Hono's RPC client over the app's routes, so requests
 * and JSON responses are checked against the same schemas the server validates with.
 */
import { hc } from 'hono/client';
import type { AppType } from './app.ts';

/** The typed client's type. */
export type ChainruleClient = ReturnType<typeof hc<AppType>>;

/**
 * A client of a running chainrule API.
 *
 * @example
 * const api = createClient('http://localhost:8787');
 * const res = await api.v1.backprop.$post({ json: problem, query: { round: '2' } });
 * if (res.ok) console.log((await res.json()).gradients.W3);
 */
export function createClient(baseUrl: string, options?: Parameters<typeof hc>[1]): ChainruleClient {
  return hc<AppType>(baseUrl, options);
}
