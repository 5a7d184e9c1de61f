import { createPool } from '@chainrule/compute';
import { ChainruleError } from '@chainrule/graph';
import { backprop } from '@chainrule/service';
import { afterAll, describe, expect, it } from 'vitest';
import { q3Problem } from '../test-support.ts';
import { poolTasks } from './pool.ts';

const pool = createPool({ size: 1 });
const tasks = poolTasks(pool);
afterAll(() => pool.close());

describe('poolTasks', () => {
  it('runs the service in a worker of the compute pool with the same answer as inline', async () => {
    const problem = q3Problem();
    const onPool = await backprop({ problem, round: 2 }, { pool: tasks, limits: { inlineWorkLimit: 0 } });
    expect(onPool).toEqual(await backprop({ problem, round: 2 }));
    expect(tasks.stats()).toMatchObject({ size: 1, workers: 1, busy: 0, queued: 0 });
  });

  it("rejects with the task's own ChainruleError: code, status and location intact", async () => {
    const problem = { ...q3Problem(), equations: ['L = 1/2 ||y - ŷ||^2', 'y = u3 +'] };
    const error = await backprop({ problem }, { pool: tasks, limits: { inlineWorkLimit: 0 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainruleError);
    expect(error).toMatchObject({ code: 'parse', status: 422, location: { path: ['equations', 1] } });
  });
});
