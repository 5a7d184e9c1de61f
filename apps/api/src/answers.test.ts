import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answers.ts';
import { createApp } from './app.ts';
import { Q3_LOSS, expectProblem, inlineTasks, postJson, q3Problem, stubPool } from './test-support.ts';

const setup = (answers = new AnswerCache()) => ({ answers, app: createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks: inlineTasks(), answers }) });

describe('answers of repeated requests', () => {
  it('answers Question 3 posted again from memory: the same body and headers, solved once', async () => {
    const { app, answers } = setup();
    const first = await postJson(app, '/v1/backprop', q3Problem(), { Origin: 'https://course.example.edu' });
    const again = await postJson(app, '/v1/backprop', q3Problem(), { Origin: 'https://course.example.edu' });
    expect([answers.misses, answers.hits]).toEqual([1, 1]);
    const [text, textAgain] = [await first.text(), await again.text()];
    expect(textAgain).toBe(text);
    expect(JSON.parse(text).loss).toBeCloseTo(Q3_LOSS, 12);
    expect(Object.fromEntries(again.headers)).toEqual(Object.fromEntries(first.headers));
    expect(again.headers.get('content-type')).toBe('application/json');
  });

  it('tells requests apart by their query and their numbers', async () => {
    const { app, answers } = setup();
    const q3 = q3Problem();
    type Answer = { loss: number; values?: unknown };
    const full = (await (await postJson(app, '/v1/backprop', q3)).json()) as Answer;
    const lean = (await (await postJson(app, '/v1/backprop?values=false', q3)).json()) as Answer;
    expect(full.values).toBeDefined();
    expect(lean.values).toBeUndefined();
    const other = (await (await postJson(app, '/v1/backprop', { ...q3, values: { ...q3.values, x: [0, 0, 0, 0] } })).json()) as Answer;
    // x = 0: every unit is 0, y = 0, L = ½‖ŷ‖² = ½.
    expect(other.loss).toBe(0.5);
    expect([answers.misses, answers.hits]).toEqual([3, 0]);
  });

  it('keeps 200 answers only, and never answers a body that is not JSON', async () => {
    const { app, answers } = setup();
    const broken = { equations: ['L = (y'] };
    await expectProblem(await postJson(app, '/v1/backprop', broken), 422, 'parse');
    await expectProblem(await postJson(app, '/v1/backprop', broken), 422, 'parse');
    expect(answers.size).toBe(0);
    await postJson(app, '/v1/backprop', q3Problem());
    const asText = await app.request('/v1/backprop', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(q3Problem()) });
    await expectProblem(asText, 415, 'unsupported-media-type');
  });

  it('is bounded: the least recently used answer goes first', async () => {
    const { app, answers } = setup(new AnswerCache({ entries: 2 }));
    const problem = (x0: number) => ({ ...q3Problem(), values: { ...q3Problem().values, x: [x0, 2, 3, 4] } });
    for (const x0 of [1, 2, 1, 3, 1]) await postJson(app, '/v1/backprop', problem(x0));
    // 1 miss, 2 miss, 1 hit, 3 miss (2 goes), 1 hit.
    expect([answers.misses, answers.hits, answers.size]).toEqual([3, 2, 2]);
  });
});
