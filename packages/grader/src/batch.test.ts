import { solveProblem } from '@chainrule/problem';
import { questionProblem } from '@chainrule/assignment9';
import { describe, expect, it } from 'vitest';
import { gradeBatch, summaryCsv, summaryTable } from './batch.ts';
import { q3ByHand, q3Submission } from '@chainrule/test-support';

const perfect = solveProblem(questionProblem('q3')).result;
const slipped = q3Submission(q3ByHand({ round: 2, tweak: { u1: (v) => [v[0]!, 4, v[2]!] } }));

describe('gradeBatch', () => {
  const batch = gradeBatch('q3', [
    { id: 'alice', submission: perfect },
    { id: 'bob', submission: slipped },
    { id: 'carol, "the 2nd"', submission: { values: { foo: 1 } } },
    { id: 'dave', submission: {} },
  ]);

  it('grades every submission, turning a malformed one into an error entry', () => {
    expect(batch.results.map((r) => r.id)).toEqual(['alice', 'bob', 'carol, "the 2nd"', 'dave']);
    expect(batch.results[0]!.report?.points).toEqual({ earned: 7, total: 7 });
    expect(batch.results[1]!.report?.firstWrong?.name).toBe('u1');
    expect(batch.results[2]!.error).toMatchObject({ code: 'problem', status: 422, path: 'values.foo' });
  });

  it('summarises the class', () => {
    expect(batch.summary).toEqual(summaryTable(batch.results));
    expect(batch.summary[0]).toEqual({ id: 'alice', points: 7, maxPoints: 7, firstWrong: null, correct: 10, carried: 0, wrong: 0, missing: 0, error: null });
    expect(batch.summary[1]).toMatchObject({ id: 'bob', points: 6.5, firstWrong: 'u1', wrong: 1, carried: 7 });
    expect(batch.summary[2]).toMatchObject({ points: null, error: expect.stringMatching(/^values\.foo: 'foo' is not a name/) });
    expect(batch.summary[3]).toMatchObject({ points: 0, missing: 10 });
  });

  it('writes CSV with proper quoting', () => {
    const lines = summaryCsv(batch.results).split('\r\n');
    expect(lines[0]).toBe('id,points,max_points,first_wrong,correct,carried,wrong,missing,error');
    expect(lines[1]).toBe('alice,7,7,,10,0,0,0,');
    expect(lines[2]).toBe('bob,6.5,7,u1,2,7,1,0,');
    expect(lines[3]).toMatch(/^"carol, ""the 2nd""",,,,0,0,0,0,"values\.foo: 'foo' is not a name in the equations \(values: .*\)"$/);
    expect(lines[5]).toBe('');
    expect(lines).toHaveLength(6);
  });

  it('carries the exam variant of each submission into the summary and a variant column of the CSV', () => {
    const tagged = batch.results.slice(0, 2).map((entry, i) => ({ ...entry, variant: `variant-0${i + 1}` }));
    expect(summaryTable(tagged).map((row) => [row.id, row.variant])).toEqual([['alice', 'variant-01'], ['bob', 'variant-02']]);
    const lines = summaryCsv([...tagged, batch.results[3]!]).split('\r\n');
    expect(lines[0]).toBe('id,variant,points,max_points,first_wrong,correct,carried,wrong,missing,error');
    expect(lines[1]).toBe('alice,variant-01,7,7,,10,0,0,0,');
    expect(lines[3]).toBe('dave,,0,7,,0,0,0,10,');
    expect(summaryTable(batch.results).some((row) => 'variant' in row)).toBe(false);
  });

  it('throws once for a bad problem or bad options', () => {
    expect(() => gradeBatch('q3', [], { round: 1.5 })).toThrow(/round must be/);
  });
});
