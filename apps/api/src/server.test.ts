import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPool } from '@chainrule/compute';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { PROBLEM_JSON } from './problem.ts';
import { type RunningServer, startServer } from './server.ts';
import { Q3_LOSS, Q3_W3_GRADIENT, networkProblem, q3Problem } from './test-support.ts';

describe('over a real socket', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, hostname: '127.0.0.1', warm: false, pool: createPool({ size: 1 }), limits: { bodyLimitBytes: 4096 } });
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
    expect(result.rounded?.values.u1).toEqual([2.55, 3.9, 2.5]);
    const w3 = result.gradients.W3 as number[][];
    w3.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(Q3_W3_GRADIENT[i]![j]!, 10)));

    const health = await (await api.health.$get()).json();
    expect(health.compute.size).toBe(1);

    const solution = await api.v1.solutions[':question'].$get({ param: { question: 'q3' }, query: { format: 'md' } });
    expect(solution.headers.get('content-type')).toContain('text/markdown');
    expect(await solution.text()).toContain('Question 3');

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

describe('pnpm api (node --import tsx src/server.ts)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints its URL, and on SIGTERM finishes the request in flight and exits 0', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', REQUEST_TIMEOUT_MS: '300000' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const port = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /chainrule API listening on http:\/\/localhost:(\d+) \(docs: \/docs\)/.exec(output);
        if (match) {
          clearInterval(timer);
          resolve(Number(match[1]));
        } else if (child!.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`the server exited: ${output}`));
        }
      }, 25);
    });

    // A gradient check of 10 200 parameters: about half a second on two workers.
    const slow = fetch(`http://127.0.0.1:${port}/v1/gradcheck`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ problem: networkProblem(100, 100) }),
    });
    // Wait until it is on the pool, then ask the server to stop.
    for (;;) {
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { heavyInFlight: { current: number } };
      if (health.heavyInFlight.current > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGTERM');

    const res = await slow;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { parameters: unknown[] }).parameters).toHaveLength(4);
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: finishing the requests in flight');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
