/**
 * A worker of the {@link TaskPool}: runs the tasks of `tasks.ts` on request. One task at a time;
 * errors travel back with what the HTTP layer needs (a `ChainruleError`'s code, status and
 * location), never with a stack.
 */
import { parentPort } from 'node:worker_threads';
import { ChainruleError } from '@chainrule/graph';
import { TASKS, type TaskName } from './tasks.ts';

/** A request from the pool. */
export interface TaskRequest {
  id: number;
  task: TaskName;
  input: unknown;
}

/** An error as it travels: enough to rebuild a `ChainruleError`, or to log an unexpected one. */
export interface SerializedError {
  message: string;
  name: string;
  chainrule?: { code: ChainruleError['code']; status: number; location: ChainruleError['location'] };
  /** For unexpected errors only, so the parent can log where it happened. */
  stack?: string;
}

/** A reply to the pool. */
export type TaskReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

if (!parentPort) throw new Error('worker.ts runs inside a worker thread of the API task pool');
const port = parentPort;

port.on('message', async ({ id, task, input }: TaskRequest) => {
  let reply: TaskReply;
  try {
    const run = TASKS[task] as (input: unknown) => Promise<unknown>;
    reply = { id, ok: true, value: await run(input) };
  } catch (error) {
    reply = { id, ok: false, error: serialize(error) };
  }
  port.postMessage(reply);
});

function serialize(error: unknown): SerializedError {
  if (error instanceof ChainruleError) {
    return { message: error.message, name: error.name, chainrule: { code: error.code, status: error.status, location: error.location } };
  }
  if (error instanceof Error) return { message: error.message, name: error.name, ...(error.stack === undefined ? {} : { stack: error.stack }) };
  return { message: String(error), name: 'Error' };
}
