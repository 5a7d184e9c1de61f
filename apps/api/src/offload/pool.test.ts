import { ChainruleError } from '@chainrule/graph';
import { afterAll, describe, expect, it } from 'vitest';
import { q3Problem } from '../test-support.ts';
import { TaskPool } from './pool.ts';
import { backprop } from './tasks.ts';

const pool = new TaskPool({ size: 1, maxQueue: 1 });
afterAll(() => pool.close());

describe('TaskPool', () => {
  it('runs a task in a worker with the same answer as inline', async () => {
    const problem = q3Problem();
    expect(await pool.run('backprop', { problem, round: 2 })).toEqual(await backprop({ problem, round: 2 }));
    expect(pool.stats()).toMatchObject({ size: 1, workers: 1, busy: 0, queued: 0 });
  });

  it("rejects with the task's own ChainruleError: code, status and location intact, no stack", async () => {
    const problem = { ...q3Problem(), equations: ['L = 1/2 ||y - ŷ||^2', 'y = u3 +'] };
    const error = await pool.run('backprop', { problem }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainruleError);
    expect(error).toMatchObject({ code: 'parse', status: 422, location: { path: ['equations', 1], line: 2 } });
  });

  it('sheds work beyond its queue with a retryable 503', async () => {
    const problem = q3Problem();
    const running = pool.run('solutions', { question: 'q2', format: 'latex' });
    const queued = pool.run('backprop', { problem });
    const error = await pool.run('backprop', { problem }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, problemType: 'overloaded', retryAfterSeconds: 1 });
    await Promise.all([running, queued]);
  });

  it('times out, terminating the worker, and carries on with a new one', async () => {
    // Graphviz lays out even Question 2 in no less than ~50 ms.
    const error = await pool.run('graph', { problem: q3Problem(), format: 'svg', gradients: true, simplify: false }, { timeoutMs: 5 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, problemType: 'timeout' });
    expect((await pool.run('backprop', { problem: q3Problem() })).loss).toBeCloseTo(48.1977625, 10);
  });

  it('rejects with the reason of an aborted signal', async () => {
    const controller = new AbortController();
    const reason = new ChainruleError('limit', 'deadline', {}, { status: 503 });
    const call = pool.run('solutions', { question: 'q1', format: 'text', round: 5 }, { signal: controller.signal });
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('rejects everything once closed', async () => {
    const closing = new TaskPool({ size: 1 });
    const pending = expect(closing.run('backprop', { problem: q3Problem() })).rejects.toMatchObject({ status: 503, problemType: 'unavailable' });
    await closing.close();
    await pending;
    await expect(closing.run('backprop', { problem: q3Problem() })).rejects.toMatchObject({ status: 503 });
  });
});
