/**
 * A freshly started server answers the reference solutions although its pool cannot work: on a
 * loaded machine the workers (which yield the CPU to the event loop) took longer than the
 * request deadline to start, and the first `GET /v1/solutions/q1` was answered 503. The pool here
 * never finishes a task — the worst case of a starved one — so any answer that needed it would hang.
 */
import type { ComputePool } from '@chainrule/compute';
import { q1ByHand } from '@chainrule/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../server.ts';
import { Q3_LOSS } from '../../test-support.ts';

const IDLE = { size: 2, workers: 0, busy: 0, queued: 0 };

/** A pool whose tasks never settle until aborted, counting them. */
function stalledPool() {
  const pool = {
    tasksStarted: 0,
    size: 2,
    split: (total: number) => [{ start: 0, end: total }],
    task: (_module: URL | string, _name: string, _input: unknown, options?: { signal?: AbortSignal }) => {
      pool.tasksStarted++;
      return new Promise<never>((_, reject) => options?.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true }));
    },
    tasks: () => new Promise<never>(() => {}),
    stats: () => IDLE,
    warmup: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return pool;
}

describe('a freshly started server', () => {
  const pool = stalledPool();
  let server: RunningServer;
  beforeAll(async () => {
    // The deadline is a hang limit only: an answer that waited for this pool would never come.
    server = await startServer({ port: 0, hostname: '127.0.0.1', pool: pool as unknown as ComputePool, limits: { requestTimeoutMs: 120_000 }, log: () => {} });
  });
  afterAll(() => server?.close());

  it('answers its first GET /v1/solutions/q1 from the documents rendered before it listened', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/solutions/q1`);
    expect(res.status).toBe(200);
    const q1 = (await res.json()) as { id: string; loss: number; values: { h1: number[] } };
    const byHand = q1ByHand();
    expect(q1.id).toBe('q1');
    expect(q1.loss).toBeCloseTo(byHand.L, 12);
    q1.values.h1.forEach((value, i) => expect(value).toBeCloseTo(byHand.h1[i]!, 12));
    expect(pool.tasksStarted).toBe(0);
  });

  it('answers every question in every format without the pool', async () => {
    for (const question of ['q1', 'q2', 'q3']) {
      for (const format of ['json', 'md', 'latex', 'text']) {
        const res = await fetch(`http://127.0.0.1:${server.port}/v1/solutions/${question}?format=${format}`);
        expect(res.status, `${question} ${format}`).toBe(200);
        const text = await res.text();
        expect(text, `${question} ${format}`).toMatch(question === 'q2' ? /Question 2/ : question === 'q1' ? /stand-in/i : /Question 3|"q3"/);
      }
    }
    const q3 = (await (await fetch(`http://127.0.0.1:${server.port}/v1/solutions/q3`)).json()) as { loss: number };
    expect(q3.loss).toBeCloseTo(Q3_LOSS, 10);
    expect(pool.tasksStarted).toBe(0);
  });
});
