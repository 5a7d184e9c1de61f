import { describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { Q3_W3_GRADIENT, expectProblem, inlineTasks, postJson, q3Problem, stubPool } from '../../test-support.ts';

const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks: inlineTasks() });

interface Report {
  problem: string;
  note?: string;
  firstWrong: string | null;
  items: Record<string, { status: string }>;
  counts: Record<string, number>;
  points?: { earned: number; total: number };
}

describe('POST /v1/check', () => {
  it("grades a student's Question 3: every step, error carried forward", async () => {
    const submission = { values: { u1: [2.55, 3.9, 2.5], z1: [2.55, 4.0, 2.5] }, gradients: { W3: Q3_W3_GRADIENT } };
    const res = await postJson(app, '/v1/check', { problem: 'q3', submission });
    expect(res.status).toBe(200);
    const report = (await res.json()) as Report;
    expect(report.problem).toBe('q3');
    expect(report.items.u1!.status).toBe('correct');
    expect(report.items.z1!.status).toBe('wrong');
    expect(report.firstWrong).toBe('z1');
    expect(report.points?.total).toBe(7);
  });

  it('renders the report as text or Markdown', async () => {
    const body = { problem: 'q3', submission: { loss: 48.2 } };
    const text = await postJson(app, '/v1/check?format=text', body);
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(await text.text()).toMatch(/^Grade of q3/);
    const markdown = await postJson(app, '/v1/check?format=markdown', body);
    expect(markdown.headers.get('content-type')).toContain('text/markdown');
    expect(await markdown.text()).toMatch(/^## Grade of q3/);
  });

  it('grades Question 1 against the stand-in network, and says so', async () => {
    const report = (await (await postJson(app, '/v1/check', { problem: 'q1', submission: {}, round: null })).json()) as Report;
    expect(report.note).toMatch(/stand-in/i);
  });

  it('grades against a problem file', async () => {
    const report = (await (await postJson(app, '/v1/check', { problem: q3Problem(), submission: { loss: 48.1977625 }, round: null })).json()) as Report;
    expect(report.problem).toBe('problem');
    expect(report.items.L!.status).toBe('correct');
  });

  it('locates faults of the submission inside `submission`, and of the problem inside `problem`', async () => {
    const unknown = await expectProblem(await postJson(app, '/v1/check', { problem: 'q3', submission: { values: { v9: [1] } } }), 422, 'problem');
    expect(unknown.path).toBe('submission.values.v9');
    const schema = await expectProblem(await postJson(app, '/v1/check', { problem: 'q3', submission: { values: { u1: [1, 'two'] } } }), 422, 'validation');
    expect(schema.path).toBe('submission.values.u1[1]');
    const problem = q3Problem();
    problem.equations = ['L = 1/2 ||y - ŷ||^2', 'y = u3 + * z2'];
    const parse = await expectProblem(await postJson(app, '/v1/check', { problem, submission: {} }), 422, 'parse');
    expect(parse.path).toBe('problem.equations[1]');
    const question = await expectProblem(await postJson(app, '/v1/check', { problem: 'q2', submission: {} }), 422, 'validation');
    expect(question.path).toBe('problem');
  });
});
