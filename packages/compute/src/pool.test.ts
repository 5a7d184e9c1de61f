import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ChainruleError } from '@chainrule/tensor';
import { fromFlat } from '@chainrule/tensor';
import { useWarmPool } from '@chainrule/test-support/pool';
import { beforeAll, describe, expect, it } from 'vitest';
import { ComputeError, createPool } from './index.ts';

let child: ReturnType<typeof runFixture>;
// The child process of the exit test starts first (this hook is registered before the pool's
// warm-up) and runs alongside the other tests.
beforeAll(() => {
  child = runFixture();
});
// One worker makes "running" and "queued" unambiguous.
const pool = useWarmPool(createPool({ size: 1, maxQueue: 1 }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('timeout', () => {
  it('rejects with the timeout error, terminates the worker and replaces it', async () => {
    const before = pool.stats();
    const started = performance.now();
    const call = pool.debug('sleep', 20_000, { timeoutMs: 100 });
    await expect(call).rejects.toThrow(ComputeError);
    await expect(call).rejects.toMatchObject({
      reason: 'timeout',
      pass: 'debug',
      code: 'limit',
      status: 503,
      message: 'debug timed out after 100 ms; its worker was terminated and replaced',
    });
    // Far below the 20 s sleep: the timeout ended the call, not the sleep (slack for a loaded machine).
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(pool.stats().replaced).toBe(before.replaced + 1);
    expect(await pool.debug('noop', 7)).toBe(7);
  });

  it('names the pass, also when the call timed out while queued (no worker terminated)', async () => {
    const before = pool.stats();
    const running = pool.debug('sleep', 300);
    const a = fromFlat(new Float64Array(64 * 64).fill(1), [64, 64]);
    await expect(pool.matmul(a, a, { mode: 'pool', timeoutMs: 50 })).rejects.toThrow('matmul timed out after 50 ms; it was still waiting in the queue');
    expect(await running).toBe(300);
    expect(pool.stats()).toMatchObject({ replaced: before.replaced, queued: 0, active: 0 });
  });
});

describe('abort', () => {
  it('cancels a queued call, leaving the running one alone', async () => {
    const running = pool.debug('sleep', 300);
    const controller = new AbortController();
    const queued = pool.debug('noop', 1, { signal: controller.signal });
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    controller.abort(new Error('client went away'));
    await expect(queued).rejects.toMatchObject({ reason: 'aborted', message: 'debug was aborted while queued', cause: new Error('client went away') });
    expect(pool.stats().queued).toBe(0);
    expect(await running).toBe(300);
  });

  it('cancels a running call by terminating and replacing its worker', async () => {
    const before = pool.stats().replaced;
    const controller = new AbortController();
    const call = pool.debug('sleep', 20_000, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toMatchObject({ reason: 'aborted', message: 'debug was aborted while running; its worker was terminated and replaced' });
    expect(pool.stats().replaced).toBe(before + 1);
    expect(await pool.debug('noop', 2)).toBe(2);
  });

  it('rejects at once with a signal already aborted', async () => {
    await expect(pool.matmul(fromFlat(new Float64Array(4), [2, 2]), fromFlat(new Float64Array(4), [2, 2]), { signal: AbortSignal.abort() })).rejects.toMatchObject({
      reason: 'aborted',
      message: 'matmul was aborted before it started',
    });
  });
});

describe('crash', () => {
  it('rejects with what the worker crashed with, and replaces it (uncaught error)', async () => {
    const before = pool.stats().replaced;
    await expect(pool.debug('crash', 1)).rejects.toMatchObject({
      reason: 'crashed',
      status: 500,
      message: 'debug failed: the worker crashed (Error: debug: uncaught error on request (1)); it was replaced',
    });
    expect(pool.stats().replaced).toBe(before + 1);
    expect(await pool.debug('noop', 3)).toBe(3);
  });

  it('rejects with the exit code when the worker calls process.exit', async () => {
    await expect(pool.debug('exit', 3)).rejects.toThrow('debug failed: the worker crashed (it exited with code 3); it was replaced');
    expect(await pool.debug('noop', 4)).toBe(4);
  });

  it('passes an error thrown by the computation through, keeping the worker', async () => {
    const before = pool.stats();
    const call = pool.debug('throw', 5);
    await expect(call).rejects.toThrow(ChainruleError);
    await expect(call).rejects.toMatchObject({ code: 'internal', message: 'debug failed in a worker: Error: debug: thrown on request (5)' });
    expect(pool.stats()).toMatchObject({ replaced: before.replaced, started: before.started });
  });
});

describe('queue', () => {
  it('rejects with a 503-like "queue full" error when maxQueue calls already wait', async () => {
    const running = pool.debug('sleep', 200);
    const queued = pool.debug('noop', 1);
    const rejected = pool.debug('noop', 2);
    await expect(rejected).rejects.toMatchObject({
      reason: 'queue-full',
      status: 503,
      retryAfterSeconds: 1,
      message: expect.stringMatching(/^debug: the compute queue is full \(1 calls waiting, maxQueue 1\)/),
    });
    expect(await running).toBe(200);
    expect(await queued).toBe(1);
  });
});

describe('close', () => {
  it('rejects pending calls and later ones, and terminates the workers', async () => {
    const own = createPool({ size: 1 });
    // The expectations are attached before close() rejects the calls, so no rejection goes unhandled.
    const running = expect(own.debug('sleep', 20_000)).rejects.toMatchObject({ reason: 'closed', message: 'debug: the compute pool is closed' });
    const queued = expect(own.debug('noop')).rejects.toMatchObject({ reason: 'closed' });
    await sleep(20);
    await own.close();
    await running;
    await queued;
    await expect(own.debug('noop')).rejects.toMatchObject({ reason: 'closed' });
    expect(own.stats()).toMatchObject({ workers: 0, closed: true });
  });
});

describe('process exit', () => {
  it('exits on its own after using pools it never closed (a created pool and the default pool)', async () => {
    const result = await child;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ value: 64, echoed: 42, workers: 2 });
    // A child still alive 20 s after printing its result was killed (code null): it hung.
    expect(result.signal).toBeNull();
  });
});

function runFixture(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const fixture = fileURLToPath(new URL('./test-fixtures/exit-without-close.ts', import.meta.url));
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // A hanging child is the failure this test looks for: once it has printed its result it must
    // exit; kill it 20 s later rather than wait forever. (Start-up time under load is not judged.)
    let killer: NodeJS.Timeout | undefined;
    const overall = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      killer ??= setTimeout(() => child.kill('SIGKILL'), 20_000);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      clearTimeout(overall);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('task', () => {
  it("runs an app's own task module in a worker, and brings its ChainruleError back", async () => {
    const own = createPool({ size: 1 });
    const module = new URL('./test-fixtures/tasks.ts', import.meta.url);
    expect(await own.task(module, 'double', { values: [1, 2.5] })).toMatchObject({ values: [2, 5], inWorker: true });
    await expect(own.task(module, 'fail', {})).rejects.toMatchObject({ code: 'problem', status: 422, location: { path: ['values', 0] } });
    await expect(own.task(module, 'missing', {})).rejects.toThrow(/exports no task 'missing'/);
    await own.close();
  });
});
