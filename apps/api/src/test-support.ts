/**
 * Shared by the tests (not part of the API): fixtures, request helpers and stand-ins for the pools.
 */
import type { PoolStats } from '@chainrule/compute';
import { expect } from 'vitest';
import type { ComputeLike, TasksLike } from './context.ts';
import { TASKS, type TaskInput, type TaskName, type TaskOutput } from './offload/tasks.ts';
import { PROBLEM_JSON, type ProblemDetails } from './problem.ts';

export { Q3_LOSS, Q3_W3_GRADIENT, networkProblem, q3Problem } from '@chainrule/test-support';

/** Anything with `request` like a Hono app. */
export interface Requestable {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

/** POSTs JSON (an object, or raw text sent as is). @example await postJson(app, '/v1/backprop', q3Problem()) */
export function postJson(app: Requestable, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** Asserts a problem+json answer with this status and code; returns its body. */
export async function expectProblem(response: Response, status: number, code: string): Promise<ProblemDetails> {
  const text = await response.text();
  expect({ status: response.status, type: response.headers.get('content-type') }, text).toEqual({ status, type: PROBLEM_JSON });
  const body = JSON.parse(text) as ProblemDetails;
  expect(body).toMatchObject({ status, code, type: `https://chainrule.dev/problems/${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  // Never a stack trace, in any problem.
  expect(text).not.toMatch(/\n\s+at |\.ts:\d+/);
  return body;
}

const IDLE_STATS: PoolStats = { size: 1, workers: 0, busy: 0, queued: 0, active: 0, started: 0, replaced: 0, closed: false };

/** A compute pool whose gradient check is `impl` (the options carry the request's signal). */
export function stubPool(impl: ComputeLike['gradientCheck']): ComputeLike {
  return { gradientCheck: impl, stats: () => IDLE_STATS };
}

/** A task pool that runs every task inline, counting the calls. */
export function inlineTasks(): TasksLike & { calls: TaskName[] } {
  const calls: TaskName[] = [];
  return {
    calls,
    run<K extends TaskName>(task: K, input: TaskInput<K>): Promise<TaskOutput<K>> {
      calls.push(task);
      return (TASKS[task] as (input: TaskInput<K>) => Promise<TaskOutput<K>>)(input);
    },
    stats: () => ({ size: 1, workers: 0, busy: 0, queued: 0, closed: false }),
  };
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** What a stand-in gradient check resolves with. */
export type GradientCheckResultLike = Awaited<ReturnType<ComputeLike['gradientCheck']>>;

