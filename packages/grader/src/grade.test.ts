import { ChainruleError } from '@chainrule/graph';
import { solveProblem } from '@chainrule/problem';
import { questionProblem } from '@chainrule/assignment9';
import { describe, expect, it } from 'vitest';
import { type GradeReport, createGrader, gradeSubmission } from './grade.ts';
import { q3ByHand, q3Submission } from '@chainrule/test-support';

const statuses = (report: GradeReport) => Object.fromEntries(report.order.map((name) => [name, report.items[name]!.status]));
const exactQ3 = solveProblem(questionProblem('q3')).result;
const Q3_FORWARD = ['u1', 'z1', 'u2', 'z2', 'u3', 'y', 'L'];
const Q3_GRADIENTS = ['∂L/∂W1', '∂L/∂W2', '∂L/∂W3'];

describe('the Q3 reference', () => {
  it.each([
    ['the default mode (2 decimals, as the sheet allows)', undefined, 2],
    ['exact mode', null, null],
  ])('submitted as is is all correct for 7 points in %s', (_, round, mode) => {
    const report = gradeSubmission('q3', exactQ3, { round });
    expect(report.mode).toEqual({ round: mode });
    expect(report.firstWrong).toBeNull();
    expect(report.order.sort()).toEqual([...Q3_FORWARD, ...Q3_GRADIENTS].sort());
    expect(new Set(Object.values(statuses(report)))).toEqual(new Set(['correct']));
    expect(report.points).toEqual({ earned: 7, total: 7 });
    expect(report.counts).toEqual({ correct: 10, carried: 0, wrong: 0, missing: 0 });
  });

  it('reports names as the equations write them, in topological order, with their steps', () => {
    const report = gradeSubmission('q3', exactQ3);
    const index = (name: string) => report.order.indexOf(name);
    expect(index('u1')).toBeLessThan(index('z1'));
    expect(index('z1')).toBeLessThan(index('u3'));
    expect(index('y')).toBeLessThan(index('L'));
    expect(index('L')).toBeLessThan(index('∂L/∂W1'));
    expect(report.items.u1).toMatchObject({ kind: 'value', step: 'u1 = W1 x', line: 7, maxPoints: 0.5, points: 0.5 });
    expect(report.items.L).toMatchObject({ kind: 'loss', step: 'L = 1/2 ||y - ŷ||^2', line: 1 });
    expect(report.items['∂L/∂W3']).toMatchObject({ kind: 'gradient', step: '∂L/∂W3 = (∂L/∂u3) z1ᵀ' });
  });

  // Regression test (was wrong: a gradient's step printed its name as written and its formula as displayed,
  // '∂L/∂W_1 = (∂L/∂u₁) xᵀ'): every name in a report as the equations write it.
  it('names every node of a LaTeX-written problem as written, in messages and steps alike', () => {
    const problem = {
      equations: String.raw`\begin{aligned} L &= \frac{1}{2}\left\| \boldsymbol{u}_1 - \hat{\boldsymbol{y}} \right\|^2 \\ \boldsymbol{u}_1 &= \boldsymbol{W}_1 \boldsymbol{x} \end{aligned}`,
      values: { x: [1, 2], W_1: [[1, 0], [0, 1]], 'ŷ': [0, 0] },
      wrt: ['W_1'],
    };
    // u1 = x = [1, 2]; ∂L/∂u1 = u1 − ŷ = [1, 2]; ∂L/∂W1 = [1, 2] xᵀ = [[1, 2], [2, 4]] (by hand).
    const report = gradeSubmission(problem, { values: { u_1: [1, 3] }, gradients: { W_1: [[1, 2], [2, 4]] } });
    expect(report.items['∂L/∂W_1']!.step).toBe('∂L/∂W_1 = (∂L/∂u_1) xᵀ');
    expect(report.items.u_1!.message).toBe('u_1[1]: expected 2, given 3');
    for (const item of Object.values(report.items)) expect(`${item.step} ${item.message ?? ''}`).not.toMatch(/[₀-₉]/);
  });
});

describe('a hand calculation rounded to 2 decimals at every step', () => {
  const byHand = q3ByHand({ round: 2 });

  it('is computed independently and agrees with the rounded reference', () => {
    const rounded = solveProblem(questionProblem('q3'), { round: 2 }).result;
    expect(byHand.u3).toEqual([5.13, 2.68]);
    expect(byHand.L).toBe(48.24);
    expect(byHand.dW1).toEqual(rounded.gradients.W1);
  });

  it('is all correct in rounding mode 2, intermediate gradients included', () => {
    const report = gradeSubmission('q3', q3Submission(byHand, { intermediate: true }), { round: 2 });
    expect(report.firstWrong).toBeNull();
    expect(report.counts).toEqual({ correct: 14, carried: 0, wrong: 0, missing: 0 });
    expect(report.points).toEqual({ earned: 7, total: 7 });
    expect(report.items['∂L/∂u1']).toMatchObject({ status: 'correct', given: [9.02, 5.69, 4.33] });
    expect(report.items['∂L/∂u1']!.points).toBeUndefined();
  });

  it('in exact mode too: every step is accepted, ∂L/∂W1 read as rounded to 2 decimals at every step', () => {
    const report = gradeSubmission('q3', q3Submission(byHand), { round: null });
    expect(report.firstWrong).toBeNull();
    expect(report.items['∂L/∂W1']).toMatchObject({ status: 'correct', reading: { arithmetic: 'rounded', decimals: 2, from: 'reference' } });
    for (const name of [...Q3_FORWARD, '∂L/∂W2', '∂L/∂W3']) expect(report.items[name]!.status).toBe('correct');
    expect(report.points).toEqual({ earned: 7, total: 7 });
  });

  it('in exact mode with its intermediate gradients: every step is correct from the accepted step before it', () => {
    const report = gradeSubmission('q3', q3Submission(byHand, { intermediate: true }), { round: null });
    expect(report.firstWrong).toBeNull();
    expect(report.counts.correct).toBe(14);
  });

  it('rounding only at the end is correct too', () => {
    const atTheEnd = q3ByHand();
    const round2 = (v: number) => Math.round(v * 100) / 100;
    const submission = JSON.parse(JSON.stringify(q3Submission(atTheEnd)), (_, v: unknown) => (typeof v === 'number' ? round2(v) : v));
    const report = gradeSubmission('q3', submission, { round: 2 });
    expect(report.counts).toEqual({ correct: 10, carried: 0, wrong: 0, missing: 0 });
  });
});

describe('error carried forward', () => {
  // A slip in u1[1] (4 instead of 3.9); every later step computed correctly from it, rounded to 2 decimals.
  const slipped = q3ByHand({ round: 2, tweak: { u1: (v) => [v[0]!, 4, v[2]!] } });

  it('marks the slip wrong and everything computed from it carried', () => {
    const report = gradeSubmission('q3', q3Submission(slipped, { intermediate: true }));
    expect(report.firstWrong).toEqual({ name: 'u1', step: 'u1 = W1 x', line: 7 });
    expect(report.items.u1).toMatchObject({ status: 'wrong', reason: 'value', expected: [2.55, 3.9, 2.5], given: [2.55, 4, 2.5] });
    expect(report.items.u1!.message).toBe('u1[1]: expected 3.9, given 4');
    expect(statuses(report)).toMatchObject({
      u2: 'correct',
      z2: 'correct',
      z1: 'carried',
      u3: 'carried',
      y: 'carried',
      L: 'carried',
      '∂L/∂y': 'carried',
      '∂L/∂W3': 'carried',
      '∂L/∂W2': 'carried',
      '∂L/∂W1': 'carried',
    });
    expect(report.items.u3!.message).toBe('u3: correct from your own value of u1 (error carried forward), rounded to 2 decimals at every step');
    expect(report.items.u3!.recomputed).toEqual([5.18, 2.71]);
    expect(report.points).toEqual({ earned: 6.5, total: 7 });
  });

  it('works in exact mode too', () => {
    const exactSlip = q3ByHand({ tweak: { u1: (v) => [v[0]!, 4, v[2]!] } });
    const report = gradeSubmission('q3', q3Submission(exactSlip), { round: null });
    expect(report.firstWrong?.name).toBe('u1');
    expect(report.counts).toEqual({ correct: 2, carried: 7, wrong: 1, missing: 0 });
  });

  it('follows the student through steps they did not write down', () => {
    const { z1: _z1, ...values } = q3Submission(slipped).values;
    const report = gradeSubmission('q3', { values });
    expect(report.items.z1).toMatchObject({ status: 'missing', recomputed: [2.55, 4, 2.5] });
    expect(report.items.u3!.status).toBe('carried');
  });

  it('still marks a real mistake after the slip wrong, naming the value the student should have got', () => {
    const twice = q3ByHand({ round: 2, tweak: { u1: (v) => [v[0]!, 4, v[2]!], u3: (v) => [v[0]! + 0.1, v[1]!] } });
    const report = gradeSubmission('q3', q3Submission(twice));
    expect(report.items.u3).toMatchObject({ status: 'wrong', reason: 'value' });
    expect(report.items.u3!.message).toBe('u3[0]: expected 5.13, from your own earlier values 5.18, given 5.28');
    expect(report.items.y!.status).toBe('carried');
    expect(report.firstWrong?.name).toBe('u1');
  });

  it('judges a mis-copied input, and carries it forward', () => {
    const submission = { values: { x: [1, 2, 3, 5], u1: [2.65, 4.4, 2.5] } };
    const report = gradeSubmission('q3', submission);
    expect(report.items.x).toMatchObject({ kind: 'given', status: 'wrong', step: 'x (given by the problem)' });
    expect(report.items.u1!.status).toBe('carried');
    expect(report.firstWrong?.name).toBe('x');
  });
});

describe('real mistakes are never waved through', () => {
  it.each([2, null])('one entry of ∂L/∂W3 off by 0.1 is wrong (round %s)', (round) => {
    const steps = round === null ? q3ByHand() : q3ByHand({ round });
    const submission = q3Submission({ ...steps, dW3: steps.dW3.map((row, i) => row.map((v, j) => (i === 1 && j === 2 ? v + 0.1 : v))) });
    const report = gradeSubmission('q3', submission, { round });
    expect(report.items['∂L/∂W3']).toMatchObject({ status: 'wrong', reason: 'value' });
    expect(report.items['∂L/∂W3']!.message).toMatch(/^∂L\/∂W3\[1\]\[2\]: expected 14\.8\d*, given 14\.9/);
    expect(report.firstWrong?.name).toBe('∂L/∂W3');
    expect(report.points?.earned).toBe(6);
  });

  it('a coarse number is not read as a rounded one in exact mode', () => {
    const report = gradeSubmission('q3', { values: { y: [9, 6] } }, { round: null });
    expect(report.items.y!.status).toBe('wrong');
  });
});

describe('missing parts', () => {
  it('grades a partial submission, every absent required step missing', () => {
    const report = gradeSubmission('q3', { values: { u1: [2.55, 3.9, 2.5] } });
    expect(report.items.u1!.status).toBe('correct');
    expect(report.counts).toEqual({ correct: 1, carried: 0, wrong: 0, missing: 9 });
    expect(report.items['∂L/∂W1']).toMatchObject({ status: 'missing', points: 0, maxPoints: 2 });
    expect(report.firstWrong).toBeNull();
    expect(report.points).toEqual({ earned: 0.5, total: 7 });
  });

  it('an empty submission is all missing', () => {
    expect(gradeSubmission('q3', {}).counts).toEqual({ correct: 0, carried: 0, wrong: 0, missing: 10 });
  });
});

describe('shapes', () => {
  const dW1 = exactQ3.gradients.W1 as number[][];

  it('names a transposed matrix instead of calling it a wrong number', () => {
    const transposed = dW1[0]!.map((_, j) => dW1.map((row) => row[j]!));
    const report = gradeSubmission('q3', { gradients: { W1: transposed } });
    expect(report.items['∂L/∂W1']).toMatchObject({ status: 'wrong', reason: 'transposed', message: '∂L/∂W1: given 4×3, expected 3×4 — transposed?' });
  });

  it('names a shape that does not fit', () => {
    expect(gradeSubmission('q3', { values: { u1: [2.55, 3.9] } }).items.u1).toMatchObject({
      status: 'wrong',
      reason: 'shape',
      message: 'u1: given a vector of 2, expected a vector of 3',
    });
    expect(gradeSubmission('q3', { gradients: { W2: [1, 2, 3, 4, 5, 6, 7, 8] } }).items['∂L/∂W2']).toMatchObject({
      reason: 'shape',
      message: '∂L/∂W2: given a vector of 8, expected 2×4',
    });
  });

  it('accepts a vector written as a column or a row, and a number wrapped in an array', () => {
    const report = gradeSubmission('q3', { values: { u1: [[2.55], [3.9], [2.5]], u2: [[3.7, 3.25]], L: [48.1977625] } });
    expect([report.items.u1!.status, report.items.u2!.status, report.items.L!.status]).toEqual(['correct', 'correct', 'correct']);
  });

  it('spots a transposed square matrix by its numbers (Q1)', () => {
    const q1 = solveProblem(questionProblem('q1')).result;
    const W2 = q1.gradients.W2 as number[][];
    const report = gradeSubmission('q1', { gradients: { W2: [[W2[0]![0]!, W2[1]![0]!], [W2[0]![1]!, W2[1]![1]!]] } });
    expect(report.items['∂L/∂W2']).toMatchObject({ status: 'wrong', reason: 'transposed' });
  });
});

describe('names', () => {
  it('match however the equations spell them', () => {
    const report = gradeSubmission('q3', {
      values: { u_1: [2.55, 3.9, 2.5], 'u₂': [3.7, 3.25], yhat: [1, 0] },
      gradients: { W_1: exactQ3.gradients.W1!, 'dL/dW2': exactQ3.gradients.W2!, '∂L/∂W₃': exactQ3.gradients.W3!, z1: [9.011, 5.6915, 4.32825] },
    });
    expect(report.items.u1!.status).toBe('correct');
    expect(report.items.u2!.status).toBe('correct');
    expect(report.items['ŷ']).toMatchObject({ kind: 'given', status: 'correct' });
    expect(report.items['∂L/∂W1']!.status).toBe('correct');
    expect(report.items['∂L/∂W2']!.status).toBe('correct');
    expect(report.items['∂L/∂W3']!.status).toBe('correct');
    expect(report.items['∂L/∂z1']!.status).toBe('correct');
  });
});

describe('Q1 and problem files', () => {
  it('grades Q1 (the stand-in network) for 6 points, and says it is a stand-in', () => {
    const reference = solveProblem(questionProblem('q1')).result;
    const report = gradeSubmission('q1', reference);
    expect(report.mode).toEqual({ round: null });
    expect(report.points).toEqual({ earned: 6, total: 6 });
    expect(report.note).toMatch(/stand-in/);
  });

  it('grades a problem file without points unless given a scheme', () => {
    const problem = { equations: ['L = 1/2 ||y - t||^2', 'y = W x'], values: { W: [[1, 2]], x: [1, 1], t: [0] }, wrt: ['W'] };
    const report = gradeSubmission(problem, { loss: 4.5, gradients: { W: [[3, 3]] } }, { name: 'tiny' });
    expect(report.problem).toBe('tiny');
    expect(report.points).toBeUndefined();
    expect(statuses(report)).toEqual({ y: 'missing', L: 'correct', '∂L/∂W': 'correct' });
    const scored = gradeSubmission(problem, { loss: 4.5 }, { points: { total: 2, items: { L: 1, 'dL/dW': 1 } } });
    expect(scored.points).toEqual({ earned: 1, total: 2 });
  });

  it('refuses an unknown question and a network for anything but q1, and locates a bad network', () => {
    expect(() => createGrader('q2' as 'q3')).toThrow(/cannot grade 'q2'/);
    expect(() => createGrader('q3', { network: { input: [1], target: [0], layers: [{ W: [[1]] }] } })).toThrow(/only used for q1/);
    let error: unknown;
    try {
      createGrader('q1', { network: { input: [1, 2], target: [0], layers: [{ W: [[1]] }] } });
    } catch (e) {
      error = e;
    }
    expect((error as ChainruleError).describe()).toMatch(/^network\.layers\[0\]\.W\[0\]: row \d of W/);
  });

  it('refuses a bad mode', () => {
    expect(() => createGrader('q3', { round: 2.5 })).toThrow(ChainruleError);
    expect(() => createGrader('q3', { round: -1 })).toThrow(/round must be/);
  });
});
