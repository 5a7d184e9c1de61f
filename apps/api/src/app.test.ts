import { ComputeError } from '@chainrule/compute';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from './app.ts';
import { deferred, expectProblem, gatedPool, inlineTasks, postJson, q3Problem, stubPool } from './test-support.ts';

const unused = stubPool(() => Promise.reject(new Error('unused')));
const app = createApp({ pool: unused, tasks: inlineTasks() });

describe('malformed JSON', () => {
  it('is 400 with the line and column of the fault', async () => {
    const text = '{\n  "equations": ["y = W x"],\n  "values": { "W": [[1, 2]], }\n}';
    const body = await expectProblem(await postJson(app, '/v1/backprop', text), 400, 'malformed-json');
    expect(body).toMatchObject({ line: 3, column: 30 });
    expect(body.detail).toMatch(/^line 3, column 30: /);
  });

  it('is 400 for an empty body too', async () => {
    expect(await expectProblem(await postJson(app, '/v1/backprop', ''), 400, 'malformed-json')).toMatchObject({ line: 1, column: 1 });
  });
});

describe('JSON bodies', () => {
  it('are parsed once: the validator gets the value the body reader parsed (Hono would parse the text again)', async () => {
    const text = JSON.stringify(q3Problem());
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const res = await postJson(app, '/v1/backprop', text);
      expect(res.status).toBe(200);
      expect(parse.mock.calls.filter(([input]) => input === text)).toHaveLength(1);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('schema errors', () => {
  it('are 422 with the JSON path of every fault', async () => {
    const problem = q3Problem() as Record<string, unknown> & ReturnType<typeof q3Problem>;
    (problem.values as Record<string, unknown>).W1 = [[0.4, 0.5, 0.25, 0.1], [0.2, 0.25, 0.4, 0.5], 'row'];
    problem.wrt = 'W1' as never;
    const body = await expectProblem(await postJson(app, '/v1/backprop', problem), 422, 'validation');
    expect(body.errors).toEqual([
      { path: 'values.W1[2]', in: 'body', message: expect.any(String) },
      { path: 'wrt', in: 'body', message: expect.stringMatching(/array/) },
    ]);
    expect(body.path).toBe('values.W1[2]');
  });

  it('name an unknown field', async () => {
    const body = await expectProblem(await postJson(app, '/v1/backprop', { ...q3Problem(), weights: {} }), 422, 'validation');
    expect(body.errors).toEqual([{ path: 'weights', in: 'body', message: "unknown field 'weights'" }]);
  });

  it('of the query name the parameter', async () => {
    const body = await expectProblem(await postJson(app, '/v1/backprop?round=13', q3Problem()), 422, 'validation');
    expect(body.errors).toEqual([expect.objectContaining({ path: 'round', in: 'query' })]);
  });
});

describe('routing', () => {
  it('answers an unknown route 404', async () => {
    expect((await expectProblem(await app.request('/v2/backprop'), 404, 'not-found')).instance).toBe('/v2/backprop');
  });

  it('answers a known route with the wrong method 405 with Allow', async () => {
    const res = await app.request('/v1/backprop');
    expect(res.headers.get('allow')).toBe('POST');
    await expectProblem(res, 405, 'method-not-allowed');
    const solutions = await app.request('/v1/solutions/q3', { method: 'DELETE' });
    expect(solutions.headers.get('allow')).toBe('GET, HEAD');
    await expectProblem(solutions, 405, 'method-not-allowed');
  });

  it('answers a body that is not JSON 415', async () => {
    const res = await app.request('/v1/backprop', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'y = W x' });
    await expectProblem(res, 415, 'unsupported-media-type');
  });
});

describe('limits', () => {
  const limited = createApp({ pool: unused, tasks: inlineTasks(), limits: { bodyLimitBytes: 600, maxValueEntries: 10, maxDimension: 4, maxEquations: 7 } });

  it('answers a body over the limit 413, whether it says its length or not', async () => {
    const big = { ...q3Problem(), loss: 'L'.repeat(700) };
    const withLength = await postJson(limited, '/v1/backprop', big, { 'content-length': String(JSON.stringify(big).length) });
    expect(await expectProblem(withLength, 413, 'body-too-large')).toMatchObject({ limit: 600 });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(big)));
        controller.close();
      },
    });
    const chunked = await limited.request('/v1/backprop', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    await expectProblem(chunked, 413, 'body-too-large');
  });

  it('answers a matrix over the entry limit 413 with its path and shape', async () => {
    const body = await expectProblem(await postJson(limited, '/v1/backprop', q3Problem()), 413, 'limit');
    expect(body).toMatchObject({ path: 'values.W1', shape: [3, 4], entries: 12, limit: 10 });
    expect(body.detail).toBe('values.W1: 3×4 = 12 entries; at most 10 per value');
  });

  it('answers a dimension over the limit 413', async () => {
    const problem = { equations: 'L = 1/2 ||x||^2', values: { x: [1, 2, 3, 4, 5] } };
    expect(await expectProblem(await postJson(limited, '/v1/backprop', problem), 413, 'limit')).toMatchObject({ path: 'values.x', shape: [5], limit: 4 });
  });

  it('answers too many equations 413', async () => {
    const problem = { equations: Array.from({ length: 8 }, (_, i) => `y${i + 1} = 2 y${i}`), values: { y0: 1 } };
    expect(await expectProblem(await postJson(limited, '/v1/backprop', problem), 413, 'limit')).toMatchObject({ path: 'equations', count: 8, limit: 7 });
  });
});

describe('saturation', () => {
  it('answers 503 with Retry-After once the heavy requests in flight reach the limit', async () => {
    const gate = deferred();
    const pool = gatedPool(gate.promise);
    const saturated = createApp({ pool, tasks: inlineTasks(), limits: { maxHeavyInFlight: 1, retryAfterSeconds: 3 } });
    const first = postJson(saturated, '/v1/gradcheck', { problem: q3Problem() });
    await vi.waitFor(() => expect(pool.started).toBe(1));
    const second = await postJson(saturated, '/v1/gradcheck', { problem: q3Problem() });
    expect(second.headers.get('retry-after')).toBe('3');
    await expectProblem(second, 503, 'overloaded');
    // Light requests (under the inline budget: Question 3's graph) are never shed.
    expect((await postJson(saturated, '/v1/graph', q3Problem())).status).toBe(200);
    gate.resolve();
    expect((await first).status).toBe(200);
    // The permit is back.
    const pool2 = await (await saturated.request('/health')).json();
    expect(pool2).toMatchObject({ heavyInFlight: { current: 0, limit: 1 } });
  });

  it("maps the compute pool's queue-full error to 503 with Retry-After", async () => {
    const full = stubPool(() => Promise.reject(new ComputeError('queue-full', 'gradientCheck', 'the compute queue is full', { retryAfterSeconds: 1 })));
    const res = await postJson(createApp({ pool: full, tasks: inlineTasks() }), '/v1/gradcheck', { problem: q3Problem() });
    expect(res.headers.get('retry-after')).toBe('1');
    await expectProblem(res, 503, 'overloaded');
  });
});

describe('timeout', () => {
  it('answers 503 at the deadline and aborts the work on the pool', async () => {
    let signal: AbortSignal | undefined;
    const pool = stubPool((call) => {
      signal = call.signal;
      return new Promise(() => {}); // never settles, like a runaway computation
    });
    const slow = createApp({ pool, tasks: inlineTasks(), limits: { requestTimeoutMs: 50 } });
    // The stub never settles: an answer at all proves the timeout ended the request.
    const body = await expectProblem(await postJson(slow, '/v1/gradcheck', { problem: q3Problem() }), 503, 'timeout');
    expect(body.detail).toMatch(/longer than 50 ms/);
    expect(signal?.aborted).toBe(true);
  });

  it("reports the deadline, not the abort, when the pool answers the abort first", async () => {
    const pool = stubPool(
      (call) =>
        new Promise((_, reject) =>
          call.signal!.addEventListener('abort', () => reject(new ComputeError('aborted', 'gradientCheck', 'gradientCheck was aborted', { cause: call.signal!.reason }))),
        ),
    );
    const slow = createApp({ pool, tasks: inlineTasks(), limits: { requestTimeoutMs: 30 } });
    await expectProblem(await postJson(slow, '/v1/gradcheck', { problem: q3Problem() }), 503, 'timeout');
  });
});

describe('unexpected errors', () => {
  it('are 500 with a generic detail, logged on the server, never with the message or stack', async () => {
    const log = vi.fn();
    const broken = stubPool(() => Promise.reject(new TypeError('secret: cannot read properties of undefined (reading "data")')));
    const res = await postJson(createApp({ pool: broken, tasks: inlineTasks(), log }), '/v1/gradcheck', { problem: q3Problem() });
    const body = await expectProblem(res, 500, 'internal');
    expect(JSON.stringify(body)).not.toMatch(/secret|TypeError|reading/);
    expect(log).toHaveBeenCalledWith('POST /v1/gradcheck failed', expect.any(TypeError));
  });

  it('a crashed worker is 500 too, a closed pool 503', async () => {
    const log = vi.fn();
    const crashed = stubPool(() => Promise.reject(new ComputeError('crashed', 'gradientCheck', 'gradientCheck failed: the worker crashed (RangeError: x)')));
    const body = await expectProblem(await postJson(createApp({ pool: crashed, tasks: inlineTasks(), log }), '/v1/gradcheck', { problem: q3Problem() }), 500, 'internal');
    expect(body.detail).not.toContain('RangeError');
    const closed = stubPool(() => Promise.reject(new ComputeError('closed', 'gradientCheck', 'gradientCheck: the compute pool is closed')));
    await expectProblem(await postJson(createApp({ pool: closed, tasks: inlineTasks(), log }), '/v1/gradcheck', { problem: q3Problem() }), 503, 'unavailable');
  });
});
