/**
 * Shared by the tests (not part of the API): fixtures, request helpers and stand-ins for the pools.
 */
import type { PoolStats } from '@chainrule/compute';
import { expect } from 'vitest';
import type { ComputeLike, TasksLike } from './context.ts';
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
/** How a stand-in pool of one worker shares work out: all of it in one range. */
const oneRange = (total: number): [number, number][] => (total > 0 ? [[0, total]] : []);

/** Runs `TASKS[name](input)` of a task module in this thread, as a worker would. */
async function runHere(module: URL | string, name: string, input: unknown): Promise<unknown> {
  const tasks = ((await import(String(module))) as { TASKS: Record<string, (input: unknown) => unknown> }).TASKS;
  return structuredClone(await tasks[name]!(structuredClone(input)));
}

/** What a stand-in pool is asked: the task and the call's options (with the request's signal). */
export interface StubCall {
  name: string;
  inputs: readonly unknown[];
  signal: AbortSignal | undefined;
}

/**
 * A compute pool whose every `tasks` call is answered by `impl` (the gradient check's parts go
 * through it): a gate, a failure, or the real work in this thread by default.
 */
export function stubPool(impl: (call: StubCall) => Promise<unknown[]>): ComputeLike {
  return {
    size: 1,
    split: oneRange,
    task: async (_module, name, input, options) => (await impl({ name, inputs: [input], signal: options?.signal }))[0] as never,
    tasks: (_module, name, inputs, options) => impl({ name, inputs, signal: options?.signal }) as never,
    stats: () => IDLE_STATS,
  };
}

/** A stand-in pool that does the real work in this thread once `gate` (if any) resolves. */
export function gatedPool(gate?: Promise<unknown>): ComputeLike & { started: number } {
  const pool = {
    started: 0,
    size: 1,
    split: oneRange,
    task: async (module: URL | string, name: string, input: unknown) => (await pool.tasks(module, name, [input]))[0] as never,
    tasks: async (module: URL | string, name: string, inputs: readonly unknown[]) => {
      pool.started++;
      await gate;
      return Promise.all(inputs.map((input) => runHere(module, name, input))) as never;
    },
    stats: () => IDLE_STATS,
  };
  return pool;
}

/** A task pool that runs every task in this thread (through structured clone, like a worker), counting the calls. */
export function inlineTasks(): TasksLike & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    size: 1,
    split: oneRange,
    task: async (module, name, input) => {
      calls.push(name);
      return runHere(module, name, input) as never;
    },
    tasks: async (module, name, inputs) => {
      calls.push(name);
      return Promise.all(inputs.map((input) => runHere(module, name, input))) as never;
    },
    stats: () => IDLE_STATS,
  };
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * The request deadline of apps whose tests run on real workers: hang detection only. A worker's
 * start (tsx compiling the task modules) took longer than the default 10 s beside two CPU burners,
 * and a test must not fail because the machine is slow.
 */
export const HANG_LIMITS = Object.freeze({ requestTimeoutMs: 120_000 });
