import { createPool } from '@chainrule/compute';
import { solveProblem } from '@chainrule/problem';
import { questionProblem } from '@chainrule/assignment9';
import { q3ByHand, q3Submission } from '@chainrule/test-support';
import { useWarmPool } from '@chainrule/test-support/pool';
import { describe, expect, it } from 'vitest';
import { gradeBatch } from './batch.ts';
import { gradeClass } from './class.ts';

const pool = useWarmPool(createPool({ size: 2 }), { modules: [new URL('./tasks.ts', import.meta.url)] });

// A correct class member from the hand-computed reference, one with a slip in u1, one unreadable.
const perfect = q3Submission(q3ByHand({ round: 2 }));
const slipped = q3Submission(q3ByHand({ round: 2, tweak: { u1: (v) => [v[0]!, 4, v[2]!] } }));
const submissions = Array.from({ length: 9 }, (_, i) => ({
  id: `student-${i}`,
  submission: i % 3 === 0 ? perfect : i % 3 === 1 ? slipped : { values: 'oops' },
}));

describe('gradeClass', () => {
  it('grades a class on the workers exactly as the grader does inline, keeping the order', async () => {
    const onPool = await gradeClass('q3', submissions, { pool, mode: 'pool' });
    const inline = await gradeClass('q3', submissions);
    expect(onPool.ranOn).toBe('pool');
    expect(inline.ranOn).toBe('inline');
    expect(onPool.results).toEqual(inline.results);
    expect(onPool.results).toEqual(gradeBatch('q3', submissions).results);
    expect(onPool.results.map((r) => r.id)).toEqual(submissions.map((s) => s.id));
    expect(onPool.summary[0]).toMatchObject({ id: 'student-0', points: 7, firstWrong: null });
    expect(onPool.summary[1]).toMatchObject({ id: 'student-1', firstWrong: 'u1' });
    expect(onPool.results[2]!.error?.path).toBe('values');
  });

  it('grades a problem file exactly too, and stays inline below the threshold with a pool', async () => {
    const problem = questionProblem('q3');
    const exact = solveProblem(problem).result;
    const small = await gradeClass(problem, [{ id: 'a', submission: { loss: exact.loss } }], { pool, round: null });
    expect(small.ranOn).toBe('inline');
    expect(small.results[0]!.report?.items.L?.status).toBe('correct');
  });

  it('refuses an aborted signal before it starts', async () => {
    await expect(gradeClass('q3', submissions, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
  });
});
