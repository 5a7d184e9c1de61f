import { q3ByHand, q3Submission } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { inlineTasks, postJson, stubPool } from '../../test-support.ts';

const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks: inlineTasks() });

describe('POST /v1/check is fair in its default mode', () => {
  it('a slip in u3, the rest computed exactly from it: ∂L/∂W3 (30.9075 = 7.925 · 3.9) is carried, and says how it was read', async () => {
    const submission = q3Submission(q3ByHand({ tweak: { u3: ([a, b]) => [a! + 0.1, b!] } }));
    const res = await postJson(app, '/v1/check', { problem: 'q3', submission });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { mode: { round: number | null }; items: Record<string, { status: string; reading?: unknown }> };
    expect(report.mode).toEqual({ round: 2 });
    expect(report.items.u3!.status).toBe('wrong');
    expect(report.items['∂L/∂W3']).toMatchObject({ status: 'carried', reading: { arithmetic: 'exact', from: 'own' } });
  });
});
