import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AppType, createApp } from '@chainrule/api';
import { Q3_LOSS, Q3_W3_GRADIENT, q3Problem } from '@chainrule/test-support';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { type ApiRoutes, createClient } from './index.ts';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// The published route types are the API's own: `pnpm typecheck` fails here while src/routes.ts
// differs from the routes of @chainrule/api (regenerate it: pnpm --filter @chainrule/client generate).
type RoutesOf<App> = App extends Hono<any, infer Routes, any> ? Routes : never;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
export const routesAreTheApis: Equal<RoutesOf<AppType>, ApiRoutes> = true;

describe('createClient', () => {
  // The client talks to the real app in-process: its `request` stands in for the network.
  // Question 3 runs on the default worker pool; a deadline long enough that a loaded machine's
  // worker start-up is not mistaken for a fault (a hang still ends the test at its timeout).
  const app = createApp({ limits: { requestTimeoutMs: 100_000 } });
  const api = createClient('http://chainrule.test', { fetch: (input: string | URL | Request, init?: RequestInit) => app.request(input, init) });

  it('posts a problem and reads typed gradients (Question 3, computed by hand)', async () => {
    const res = await api.v1.backprop.$post({ json: q3Problem(), query: {} });
    expect(res.status).toBe(200);
    if (!res.ok) throw new Error(await res.text());
    const body = await res.json();
    expect(body.loss).toBeCloseTo(Q3_LOSS, 9);
    const w3 = body.gradients.W3 as number[][];
    Q3_W3_GRADIENT.forEach((row, i) => row.forEach((value, j) => expect(w3[i]![j]).toBeCloseTo(value, 9)));
  });

  it('passes path parameters and queries, and gives the API error document on bad input', async () => {
    const solution = await api.v1.solutions[':question'].$get({ param: { question: 'q3' }, query: { format: 'json' } });
    expect(solution.status).toBe(200);
    const bad = await api.v1.backprop.$post({ json: { equations: ['y = W x'], values: { W: [[1, 2]], x: [1, 2, 3] } }, query: {} });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the published client', () => {
  it('bundle for a browser without server code: only hono/client comes along', async () => {
    const result = await build({
      entryPoints: [path.join(packageDir, 'src', 'index.ts')],
      bundle: true, write: false, metafile: true, format: 'esm', platform: 'browser', logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => !/node_modules\/(\.pnpm\/hono@[^/]+\/node_modules\/)?hono\/dist\/client\//.test(input) && !/hono\/dist\/utils\//.test(input) && !input.startsWith('src/'))).toEqual([]);
    expect(inputs.some((input) => /apps\/api|zod|@hono\/zod-openapi|@chainrule/.test(input))).toBe(false);
    expect(result.outputFiles[0]!.contents.byteLength).toBeLessThan(30_000);
  });
});
