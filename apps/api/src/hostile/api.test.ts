/**
 * The hostile corpus against a real server on loopback: never a 5xx, never a stack trace; deep
 * JSON is 400 (not JSON) or 422 (JSON that does not fit); a name equal to a member of
 * `Object.prototype` works as an ordinary name does, or is refused with a 422 that names it.
 */
import { createPool } from '@chainrule/compute';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROBLEM_JSON } from '../problem.ts';
import { type RunningServer, startServer } from '../server.ts';
import { DEEP_SITES, NAMED_INPUT_RESULT, NAMED_REQUESTS, type NamedRequest, PROTOTYPE_NAMES, deepBodies, twinName, withName } from './corpus.ts';

/** Hang detection only (a loaded machine is slower, never wrong). */
const HANG_MS = 120_000;

let server: RunningServer;
const logged: string[] = [];
let probe: ReturnType<typeof healthProbe>;
beforeAll(async () => {
  server = await startServer({
    port: 0,
    hostname: '127.0.0.1',
    warm: false,
    pool: createPool({ size: 1 }),
    limits: { requestTimeoutMs: HANG_MS },
    log: (message, error) => logged.push(`${message}: ${error instanceof Error ? error.stack : String(error)}`),
  });
  probe = healthProbe(`http://127.0.0.1:${server.port}/health`);
});
afterAll(async () => {
  await probe?.stop();
  await server?.close();
});

/**
 * Polls `/health` back to back while the corpus is replayed: every probe must be answered 200.
 * A stalled event loop fails a probe by its timeout (hang detection: the 250 ms target of
 * `/health` under hostile load is the load bench's, which can tell a loaded machine from a miss).
 */
function healthProbe(url: string) {
  const failures: string[] = [];
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(HANG_MS / 4) });
        await res.arrayBuffer();
        if (res.status !== 200) failures.push(`status ${res.status}`);
      } catch (error) {
        failures.push(String(error));
      }
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    failures,
    latencies,
    async stop() {
      running = false;
      await done;
    },
  };
}
beforeEach(() => {
  logged.length = 0;
});

interface Answer {
  status: number;
  type: string;
  text: string;
  body: unknown;
}

async function send(method: string, url: string, body?: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${server.port}${url}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  let parsed: unknown = text;
  if (/json/.test(type)) parsed = JSON.parse(text);
  return { status: res.status, type, text, body: parsed };
}

/** Never a 5xx, a stack trace or a logged server error; a 4xx is problem+json. */
function expectClientAnswer(answer: Answer, context: string): void {
  expect(answer.status, `${context}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  expect(answer.text, context).not.toMatch(/\n\s+at |\.ts:\d+/);
  if (answer.status >= 400) expect(answer.type, context).toBe(PROBLEM_JSON);
  expect(logged, context).toEqual([]);
}

describe('JSON of any depth, valid or truncated', () => {
  const cases = DEEP_SITES.flatMap(({ url, before, after }) => deepBodies(before, after).map((body) => ({ id: `${url} ${before.slice(0, 40)}…: ${body.label}`, url, ...body })));
  for (const { id, url, text, status } of cases) {
    it(
      id,
      async () => {
        const answer = await send('POST', url, text);
        expectClientAnswer(answer, id);
        expect(answer.status, answer.text.slice(0, 300)).toBe(status);
        const problem = answer.body as { code: string; line?: number; column?: number; detail: string };
        if (status === 400) {
          expect(problem.code).toBe('malformed-json');
          expect(problem.line).toBe(1);
          expect(problem.column).toBeGreaterThan(0);
        }
      },
      HANG_MS,
    );
  }
});

describe('names equal to members of Object.prototype, on every route', () => {
  const cases = NAMED_REQUESTS.flatMap((request) => PROTOTYPE_NAMES.map((name) => ({ id: `${request.site}: ${name}`, request, name })));
  for (const { id, request, name } of cases) {
    it(
      id,
      async () => {
        const twin = twinName(name);
        const hostile = await sendNamed(request, name);
        const ordinary = await sendNamed(request, twin);
        expectClientAnswer(hostile, id);
        expectClientAnswer(ordinary, `${request.site}: ${twin}`);
        const asOrdinary = { status: ordinary.status, body: swapName(ordinary.body, twin, name) };
        if (isDeepStrictEqual({ status: hostile.status, body: hostile.body }, asOrdinary)) return;
        // Otherwise only a refusal that names it.
        const detail = (hostile.body as { detail?: string }).detail ?? '';
        expect({ status: hostile.status, namesIt: detail.includes(name) }, `${hostile.text.slice(0, 400)}\n-- an ordinary name gets --\n${ordinary.text.slice(0, 400)}`).toEqual({ status: 422, namesIt: true });
      },
      HANG_MS,
    );
  }

  it('computes the right numbers for a parameter named like a prototype member', async () => {
    for (const name of ['constructor', 'hasOwnProperty', 'toString', 'valueOf']) {
      const request = NAMED_REQUESTS.find((r) => r.site === 'backprop: an input')!;
      const answer = await sendNamed(request, name);
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toEqual(swapName(NAMED_INPUT_RESULT, '@@NAME@@', name));
    }
  });
});

describe('charsets', () => {
  it('refuses a body in another charset with 415 on every JSON route', async () => {
    for (const url of ['/v1/backprop', '/v1/graph', '/v1/gradcheck', '/v1/check']) {
      const res = await fetch(`http://127.0.0.1:${server.port}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-16le' },
        body: Buffer.from('{"equations": "L = x"}', 'utf16le'),
      });
      const answer = { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text(), body: undefined };
      expectClientAnswer(answer, url);
      expect(answer.status, answer.text).toBe(415);
      expect(answer.text).toContain('utf-16le');
    }
  });
});

function sendNamed(request: NamedRequest, name: string): Promise<Answer> {
  return send(request.method, withName(request.url, name), request.body === undefined ? undefined : withName(request.body, name));
}

/** A JSON value with one name replaced by another in every string and key. */
function swapName(value: unknown, from: string, to: string): unknown {
  const text = JSON.stringify(value);
  const swapped = text.split(from).join(to);
  // Built with a reviver-free parse of text that may hold a key `__proto__`: JSON.parse keeps it own.
  return JSON.parse(swapped);
}

describe('the /health probe during the whole corpus', () => {
  it('was answered 200 every time (the event loop never stalled past the hang timeout)', async () => {
    await probe.stop();
    const slowest = Math.max(...probe.latencies);
    expect(probe.failures, `slowest probe ${slowest.toFixed(0)} ms`).toEqual([]);
    expect(probe.latencies.length).toBeGreaterThan(10);
  });
});
