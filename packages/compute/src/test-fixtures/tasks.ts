import { isMainThread } from 'node:worker_threads';
import { ChainruleError } from '@chainrule/graph';

/** Tasks for the pool's `task` test. */
export const TASKS = {
  double: ({ values }: { values: number[] }) => ({ values: values.map((v) => 2 * v), inWorker: !isMainThread }),
  fail: () => {
    throw new ChainruleError('problem', 'a value is wrong', { path: ['values', 0] });
  },
};
