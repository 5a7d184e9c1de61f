/**
 * Bounded work: heavy problems leave the event loop (a real server on loopback keeps answering
 * /health), answers are bounded before computing, and heavy work is admitted to match the pool.
 */
import { createPool } from '@chainrule/compute';
import { q3Problem } from '@chainrule/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from './app.ts';
import { type RunningServer, startServer } from './server.ts';
import { deferred, expectProblem, gatedPool, inlineTasks, postJson } from './test-support.ts';

const matrix = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
/** One equation of `factors` 16×16 matrix factors: 28 KB with 4,000 (the body). */
const longProduct = (factors: number) => ({
  equations: [`u = ${Array.from({ length: factors }, (_, i) => `Layer${i % 8}`).join(' ')} x`, 'L = 1/2 ||u||^2'],
  values: { ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`Layer${i}`, matrix(16)])), x: new Array(16).fill(1) },
  wrt: ['Layer0'],
});

describe('a 28 KB body of 4,000 matrix factors on a real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, hostname: '127.0.0.1', warm: false, pool: createPool({ size: 1 }), limits: { requestTimeoutMs: 3_000 }, log: () => {} });
  });
  afterAll(() => server?.close());

  it.each(['/v1/graph?gradients=true&format=dot', '/v1/backprop'])('%s: /health keeps answering, the request ends cleanly', async (path) => {
    const body = JSON.stringify(longProduct(4000));
    expect(body.length).toBeGreaterThan(28_000);
    let done = false;
    const request = fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (res) => {
      done = true;
      return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
    });
    // Every probe answers while the request is in flight; a blocked event loop fails a probe by timing out.
    let probes = 0;
    while (!done) {
      const health = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(30_000) });
      expect(health.status).toBe(200);
      await health.arrayBuffer();
      probes++;
    }
    const answer = await request;
    if (answer.status !== 200) {
      expect([413, 503, 504]).toContain(answer.status);
      expect(answer.type).toMatch(/^application\/problem\+json/);
    }
    expect(probes).toBeGreaterThan(0);
  });
});

describe('bounded answers', () => {
  const app = createApp({ pool: inlineTasks(), tasks: inlineTasks() });
  const outer = { equations: ['L = sum(P)', 'P = a b^T'], values: { a: new Array(1024).fill(1), b: new Array(1024).fill(1) }, wrt: ['a'] };

  it('refuses an intermediate over maxIntermediateEntries before computing, naming its equation and shape', async () => {
    const tasks = inlineTasks();
    const body = await expectProblem(await postJson(createApp({ pool: tasks, tasks }), '/v1/backprop', outer), 413, 'limit');
    expect(body).toMatchObject({ path: 'equations', equation: 'P', shape: [1024, 1024], entries: 1_048_576, limit: 262_144 });
    expect(tasks.calls).toEqual([]);
  });

  it('refuses an answer over maxResultEntries, and values=false answers the loss and gradients alone', async () => {
    const limited = createApp({ pool: inlineTasks(), tasks: inlineTasks(), limits: { maxResultEntries: 30 } });
    const body = await expectProblem(await postJson(limited, '/v1/backprop', q3Problem()), 413, 'limit');
    expect(body).toMatchObject({ path: 'values', entries: 41, limit: 30 });
    const res = await postJson(limited, '/v1/backprop?values=false', q3Problem());
    expect(res.status).toBe(200);
    const result = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(['gradients', 'loss']);
    // ∂L/∂W3 of Question 3, computed by hand in the solutions package's tests (first entry 19.95375).
    expect((result.gradients as Record<string, number[][]>).W3![0]![0]).toBeCloseTo(19.95375, 10);
  });

  it('documents values and the limits in the OpenAPI schema', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, { post: { parameters: { name: string }[]; description: string } }> };
    const backprop = doc.paths['/v1/backprop']!.post;
    expect(backprop.parameters.map((p) => p.name)).toContain('values');
    expect(backprop.description).toContain('maxResultEntries');
  });
});

describe('admission matched to capacity', () => {
  it('admits one heavy request per worker and heavyQueue more; the next is 503 overloaded with Retry-After at once, and the admitted complete', async () => {
    const gate = deferred();
    const pool = Object.assign(gatedPool(gate.promise), { size: 2 });
    const app = createApp({ pool, tasks: pool, limits: { heavyQueue: 1, retryAfterSeconds: 2 } });
    const admitted = Array.from({ length: 3 }, () => postJson(app, '/v1/gradcheck', { problem: q3Problem() }));
    await vi.waitFor(() => expect(pool.started).toBe(3));
    // The pool has not finished anything: the refusal cannot have waited for a deadline.
    const refused = await postJson(app, '/v1/gradcheck', { problem: q3Problem() });
    expect(refused.headers.get('retry-after')).toBe('2');
    await expectProblem(refused, 503, 'overloaded');
    expect(pool.started).toBe(3);
    // Gradient checks are all heavy: refused before the body is read (not 400 for this one).
    await expectProblem(await postJson(app, '/v1/gradcheck', '{"problem": '), 503, 'overloaded');
    gate.resolve();
    for (const res of await Promise.all(admitted)) expect(res.status).toBe(200);
    expect(await (await app.request('/health')).json()).toMatchObject({ heavyInFlight: { current: 0, limit: 3 } });
  });
});
