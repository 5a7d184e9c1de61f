import { isMainThread, threadId } from 'node:worker_threads';
import { ChainruleError } from '@chainrule/tensor';

/** Tasks for the pool's `task` and `tasks` tests. */
export const TASKS = {
  double: ({ values }: { values: number[] }) => ({ values: values.map((v) => 2 * v), inWorker: !isMainThread, thread: threadId }),
  fail: () => {
    throw new ChainruleError('problem', 'a value is wrong', { path: ['values', 0] });
  },
  sleep: ({ ms }: { ms: number }) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return ms;
  },
  squares: ({ data }: { data: Float64Array }) => ({ sum: data.reduce((s, v) => s + v, 0), squares: data.map((v) => v * v) }),
};
