/**
 * Used by pool.test.ts: runs calls on a created pool and on the default pool, and ends WITHOUT
 * calling close(). The process must still exit on its own (idle workers are unref'd).
 */
import { fromFlat } from '@chainrule/tensor';
import { createPool, getDefaultPool } from '../index.ts';

const pool = createPool({ size: 1 });
const a = fromFlat(new Float64Array(64 * 64).fill(1), [64, 64]);
const c = await pool.matmul(a, a, { mode: 'pool' });
const echoed = await getDefaultPool().debug('noop', 42);
console.log(JSON.stringify({ value: c.at(0, 0), echoed, workers: pool.stats().workers + getDefaultPool().stats().workers }));
