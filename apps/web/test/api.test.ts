/**
 * The page as the API serves it at `/`, under the API's security headers and the page's own
 * Content-Security-Policy: a policy that blocked the worker or Graphviz's WebAssembly would show
 * as a console error (which fails `openPage`) and an empty graph.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Q3_FILE, RESULTS, cli, launch, startApi } from './harness.ts';
import { openPage, stepValues } from './page-helpers.ts';

let api: Awaited<ReturnType<typeof startApi>>;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  [api, browser] = await Promise.all([startApi(), launch()]);
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('the page, from the API server', () => {
  it('is served at / with a policy it works under: Q3 drawn with its 21 nodes and the CLI\'s values', async () => {
    const response = await fetch(api.url);
    expect(response.headers.get('content-security-policy')).toContain("'wasm-unsafe-eval'");
    const page = await openPage(browser, api.url);
    const cliGraph = JSON.parse(await cli(['graph', Q3_FILE, '--gradients', '--format', 'json'])) as { nodes: unknown[] };
    expect(await page.$$eval('#graph g.node[data-node]', (nodes) => nodes.length)).toBe(cliGraph.nodes.length);
    const reference = JSON.parse(await cli(['solve', 'q3', '--format', 'json'])) as { steps: { id: string; value: unknown }[] };
    expect((await stepValues(page)).map((s) => [s.id, s.value])).toEqual(reference.steps.map((s) => [s.id, s.value]));
    await page.screenshot({ path: path.join(RESULTS, 'api-q3.png') });
    await page.close();
  });
});
