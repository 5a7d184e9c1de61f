import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from './index.ts';

const fixture = (name: string) => new URL(`./test-fixtures/${name}.ts`, import.meta.url);
const pool = createPool({ size: 2 });
afterAll(() => pool.close());

describe('warmup with task modules', () => {
  it('imports them in every worker before its first task, and in a replacement worker too', async () => {
    await pool.warmup({ modules: [fixture('marker')] });
    // One call per worker: both had imported the marker before the task's own module.
    expect(await pool.tasks(fixture('loads'), 'loaded', [0, 1])).toEqual([
      ['marker', 'loads'],
      ['marker', 'loads'],
    ]);
    const { replaced } = pool.stats();
    await expect(pool.debug('crash')).rejects.toThrow();
    expect(pool.stats().replaced).toBe(replaced + 1);
    const after = await pool.tasks<string[]>(fixture('loads'), 'loaded', [0, 1]);
    for (const loads of after) expect(loads.slice(0, 1)).toEqual(['marker']);
    // The replacement started fresh: it imported the marker when it started, then the task's module.
    expect(after.map((loads) => loads.join(' '))).toContain('marker loads');
  });

  it('leaves a module that fails to load to fail its first task, with the reason', async () => {
    const missing = fixture('no-such-module');
    await expect(pool.warmup({ modules: [missing] })).resolves.toBeUndefined();
    await expect(pool.task(missing, 'anything', null)).rejects.toThrow(/no-such-module/);
  });
});
