import { describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { inlineTasks, stubPool } from '../../test-support.ts';

describe('GET /health', () => {
  it('answers ok with the load of the pools', async () => {
    const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks: inlineTasks() });
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      heavyInFlight: { current: 0, limit: 3 },
      compute: { size: 1, busy: 0, queued: 0 },
      tasks: { size: 1, busy: 0, queued: 0 },
    });
  });

  it('answers HEAD too', async () => {
    const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks: inlineTasks() });
    expect((await app.request('/health', { method: 'HEAD' })).status).toBe(200);
  });
});
