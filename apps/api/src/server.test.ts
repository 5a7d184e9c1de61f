/**
 * The server over real sockets, and its shutdown as a process. Nothing here depends on the speed
 * of the machine: no assertion on wall time, and the only timeouts are generous ones that detect
 * a hang (a loaded machine makes them slower, never wrong). Requests that must stay "in flight"
 * are held open by the client (a body not yet sent), not by work that takes "long enough".
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createPool } from '@chainrule/compute';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { PROBLEM_JSON } from './problem.ts';
import { type RunningServer, startServer } from './server.ts';
import { Q3_LOSS, Q3_W3_GRADIENT, q3Problem } from '@chainrule/test-support';

/** Hang detection only: far longer than any of these steps takes on a loaded machine. */
const HANG_MS = 120_000;

describe('over a real socket', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // A generous deadline: on a loaded machine starting the worker alone can take seconds.
    server = await startServer({ port: 0, hostname: '127.0.0.1', warm: false, pool: createPool({ size: 1 }), limits: { bodyLimitBytes: 4096, requestTimeoutMs: HANG_MS } });
  });
  afterAll(() => server?.close());

  it('listens on the port it reports', async () => {
    expect(server.url).toBe(`http://localhost:${server.port}`);
    const res = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('serves the typed client: requests and responses checked against the schemas', async () => {
    const api = createClient(`http://127.0.0.1:${server.port}`);
    const res = await api.v1.backprop.$post({ json: q3Problem(), query: { round: '2' } });
    expect(res.status).toBe(200);
    if (res.status !== 200) return;
    const result = await res.json();
    expect(result.loss).toBeCloseTo(Q3_LOSS, 10);
    expect(result.rounded?.values?.u1).toEqual([2.55, 3.9, 2.5]);
    const w3 = result.gradients.W3 as number[][];
    w3.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(Q3_W3_GRADIENT[i]![j]!, 10)));

    const health = await (await api.health.$get()).json();
    expect(health.compute.size).toBe(1);

    const solution = await api.v1.solutions[':question'].$get({ param: { question: 'q3' }, query: { format: 'md' } });
    const text = await solution.text();
    expect({ status: solution.status, type: solution.headers.get('content-type') }, text.slice(0, 500)).toMatchObject({ status: 200, type: expect.stringContaining('text/markdown') });
    expect(text).toContain('Question 3');

    const bad = await api.v1.backprop.$post({ json: { ...q3Problem(), equations: ['L = (y'] }, query: {} });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toBe(PROBLEM_JSON);
  });

  it('limits a streamed (chunked) body as it arrives', async () => {
    const chunks = [`{"equations": ["y = W x"], "loss": "`, 'L'.repeat(8192), '"}'];
    const body = new ReadableStream({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/backprop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'body-too-large', limit: 4096 });
  });
});

const API_ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A server process and what it printed. */
interface ServerProcess {
  child: ChildProcess;
  port: Promise<number>;
  exited: Promise<number | null>;
  output(): string;
}

const started: ChildProcess[] = [];

function startProcess(command: string, args: string[], cwd: string, env: Record<string, string> = {}): ServerProcess {
  const child = spawn(command, args, { cwd, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = waitFor(() => {
    const match = /chainrule API listening on http:\/\/localhost:(\d+) \(docs: \/docs\)/.exec(output);
    if (match) return Number(match[1]);
    if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
    return undefined;
  });
  return { child, port, exited, output: () => output };
}

/** Polls until `probe` returns a value (or throws). */
async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of the one child process of `pid`. */
function onlyChild(pid: number): number {
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.trim().split(/\s+/).filter(Boolean).map(Number);
  expect(children, `children of ${pid}`).toHaveLength(1);
  return children[0]!;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * A POST whose headers go first (`Expect: 100-continue`): `continued` resolves once the server has
 * read them — the request is in flight from then on — and `send()` sends the body.
 */
function requestInFlight(port: number, url: string, body: string) {
  const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: url, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } });
  const answer = new Promise<Answer>((resolve, reject) => {
    request.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    request.once('error', reject);
  });
  answer.catch(() => {}); // awaited by the test; a failure before then is reported there
  const continued = new Promise<void>((resolve) => request.once('continue', resolve));
  return { continued, answer, send: () => new Promise<void>((resolve) => request.end(body, resolve)) };
}

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('shutdown (node src/server.ts)', () => {
  const serverArgs = ['--conditions=@chainrule/source', '--import', 'tsx', 'src/server.ts'];

  it(
    'on SIGTERM stops accepting, answers the request in flight and exits 0',
    async () => {
      const server = startProcess(process.execPath, serverArgs, API_ROOT, { REQUEST_TIMEOUT_MS: String(HANG_MS) });
      const port = await server.port;

      // The request is in flight once the server has read its headers (it answers 100 Continue);
      // its body is sent only after the server has begun shutting down.
      const request = requestInFlight(port, '/v1/backprop', JSON.stringify(q3Problem()));
      await request.continued;

      server.child.kill('SIGTERM');
      await waitFor(() => (server.output().includes('SIGTERM: finishing the requests in flight') ? true : undefined));
      await waitFor(async () => ((await listening(port)) ? undefined : true));

      await request.send();
      const answer = await request.answer;
      expect(answer.status, answer.text).toBe(200);
      expect(answer.headers.connection).toBe('close');
      expect((JSON.parse(answer.text) as { loss: number }).loss).toBeCloseTo(Q3_LOSS, 10);
      expect(await server.exited).toBe(0);
    },
    HANG_MS,
  );

  it(
    'terminates pool work past the request deadline: the request is answered 503 timeout, the process exits 0',
    async () => {
      const server = startProcess(process.execPath, serverArgs, API_ROOT, { REQUEST_TIMEOUT_MS: '2000' });
      const port = await server.port;
      // A gradient check of 19 456 entries, each two passes through a 1024×256 outer product (at the
      // intermediate limit): about 10¹⁰ multiply-adds, minutes on any machine, so it is on the pool at the deadline.
      const vector = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7) % 5) - 2);
      const problem = {
        equations: ['L = 1/2 ||c - t||^2', 'c = M d', 'M = a b^T', 'a = W x'],
        values: { W: Array.from({ length: 1024 }, (_, r) => vector(19).map((v) => v + (r % 3))), x: vector(19), b: vector(256), d: vector(256), t: vector(1024) },
        wrt: ['W'],
      };
      const request = requestInFlight(port, '/v1/gradcheck', JSON.stringify({ problem }));
      await request.continued;
      await request.send();
      server.child.kill('SIGTERM');

      const answer = await request.answer;
      expect({ status: answer.status, code: (JSON.parse(answer.text) as { code?: string }).code }, answer.text).toEqual({ status: 503, code: 'timeout' });
      expect(await server.exited, server.output()).toBe(0);
      expect(server.output()).not.toContain('still shutting down');
    },
    HANG_MS,
  );
});

describe('pnpm api', () => {
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'leaves no server behind when the pnpm process is killed with %s',
    async (signal) => {
      const server = startProcess('pnpm', ['--silent', 'api'], REPO_ROOT, { REQUEST_TIMEOUT_MS: String(HANG_MS) });
      const port = await server.port;
      // `exec` in the scripts: pnpm's child is the server itself, no shell in between.
      const node = onlyChild(server.child.pid!);
      expect(spawnSync('ps', ['-o', 'args=', '-p', String(node)], { encoding: 'utf8' }).stdout).toMatch(/^node .*apps\/api\/src\/server\.ts/);
      expect(await listening(port)).toBe(true);

      server.child.kill(signal);
      await waitFor(() => (alive(node) ? undefined : true));
      expect(await listening(port)).toBe(false);
    },
    HANG_MS,
  );
});
