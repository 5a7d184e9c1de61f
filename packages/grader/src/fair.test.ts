import { type Q1Steps, type Q3Steps, q1ByHand, q1Submission, q3ByHand, q3Submission } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { gradeSubmission } from './grade.ts';

// A planted slip at every step of Q3; everything after it computed by hand (plain arrays, in
// test-support) from the student's own wrong value, exactly or rounded to 2 decimals at every step.
const STEPS: (keyof Q3Steps)[] = ['u1', 'z1', 'u2', 'z2', 'u3', 'y', 'L', 'dy', 'dz1', 'du1', 'du2', 'dW1', 'dW2', 'dW3'];
const LABEL: Record<keyof Q3Steps, string> = {
  u1: 'u1', z1: 'z1', u2: 'u2', z2: 'z2', u3: 'u3', y: 'y', L: 'L',
  dy: '∂L/∂y', dz1: '∂L/∂z1', du1: '∂L/∂u1', du2: '∂L/∂u2', dW1: '∂L/∂W1', dW2: '∂L/∂W2', dW3: '∂L/∂W3',
};
const slip = (v: unknown): unknown => (typeof v === 'number' ? v + 1 : Array.isArray(v) ? [slip(v[0]), ...v.slice(1)] : v);

describe.each([
  ['exactly', undefined],
  ['rounded to 2 decimals at every step', 2],
] as const)('a slip, then everything after it computed %s from the student’s own values', (_, style) => {
  describe.each([
    ['rounding mode 2 (the default)', 2],
    ['exact mode', null],
  ] as const)('graded in %s', (__, mode) => {
    it.each(STEPS)('slip in %s: that step is wrong, every later step correct or carried', (step) => {
      const steps = q3ByHand({ ...(style === undefined ? {} : { round: style }), tweak: { [step]: slip } });
      const report = gradeSubmission('q3', q3Submission(steps, { intermediate: true }), { round: mode });
      const slipped = LABEL[step];
      expect(report.items[slipped]!.status).toBe('wrong');
      expect(report.firstWrong?.name).toBe(slipped);
      expect(report.counts.wrong).toBe(1);
      const lost = report.items[slipped]!.maxPoints ?? 0;
      expect(report.points).toEqual({ earned: 7 - lost, total: 7 });
      // The report names the reading: carried values are read from the student's own values, in
      // their style (a step that needed no rounding reads as exact in either style).
      const carried = report.order.map((name) => report.items[name]!).filter((item) => item.status === 'carried');
      for (const item of carried) {
        expect(item.reading?.from).toBe('own');
        if (style === undefined) expect(item.reading?.arithmetic).toBe('exact');
      }
      if (style === 2 && carried.length > 2) expect(carried.some((item) => item.reading?.arithmetic === 'rounded')).toBe(true);
    });
  });
});

describe('the issue’s example', () => {
  it('a slip in u3, the rest exact from it: ∂L/∂W3[0][1] = 30.9075 = 7.925 · 3.9 is carried in the default mode', () => {
    const steps = q3ByHand({ tweak: { u3: ([a, b]) => [a! + 0.1, b!] } });
    expect(steps.dy[0]).toBeCloseTo(7.925, 12);
    expect(steps.dW3[0]![1]).toBeCloseTo(30.9075, 12);
    const report = gradeSubmission('q3', q3Submission(steps));
    expect(report.mode).toEqual({ round: 2 });
    expect(report.items.u3!.status).toBe('wrong');
    expect(report.items['∂L/∂W3']).toMatchObject({ status: 'carried', reading: { arithmetic: 'exact', from: 'own' } });
    for (const name of ['y', 'L', '∂L/∂W1', '∂L/∂W2']) expect(['carried', 'correct']).toContain(report.items[name]!.status);
    expect(report.points!.earned).toBe(7 - report.items.u3!.maxPoints!);
  });

  it('a real mistake after the slip is still wrong in every reading', () => {
    const steps = q3ByHand({ tweak: { u3: ([a, b]) => [a! + 0.1, b!], dW3: ([row, ...rest]) => [[row![0]! + 0.5, ...row!.slice(1)], ...rest] } });
    for (const round of [2, null]) expect(gradeSubmission('q3', q3Submission(steps), { round }).items['∂L/∂W3']!.status).toBe('wrong');
  });
});

// Question 1 (the stand-in: sigmoid layers with biases), slips planted the same way; the careful
// student writes 4 decimals when rounding (sigmoid values are small).
const Q1_STEPS: (keyof Q1Steps)[] = ['a1', 'h1', 'a2', 'h2', 'L', 'dh2', 'da2', 'dh1', 'da1', 'dW2', 'db2', 'dW1', 'db1'];
const Q1_LABEL: Record<keyof Q1Steps, string> = {
  a1: 'a1', h1: 'h1', a2: 'a2', h2: 'h2', L: 'L',
  dh2: '∂L/∂h2', da2: '∂L/∂a2', dh1: '∂L/∂h1', da1: '∂L/∂a1', dW2: '∂L/∂W2', db2: '∂L/∂b2', dW1: '∂L/∂W1', db1: '∂L/∂b1',
};

describe.each([
  ['exactly (float64, no rounding)', undefined],
  ['rounded to 4 decimals at every step', 4],
] as const)('Q1: a slip, then everything after it computed %s from the student’s own values', (_, style) => {
  describe.each([
    ['exact mode (the default)', undefined],
    ['rounding mode 4', 4],
  ] as const)('graded in %s', (__, mode) => {
    it('with no slip: everything correct', () => {
      const report = gradeSubmission('q1', q1Submission(q1ByHand(style === undefined ? {} : { round: style }), { intermediate: true }), mode === undefined ? {} : { round: mode });
      expect(report.counts).toEqual({ correct: 13, carried: 0, wrong: 0, missing: 0 });
    });

    it.each(Q1_STEPS)('slip in %s: that step is wrong, every later step correct or carried', (step) => {
      const steps = q1ByHand({ ...(style === undefined ? {} : { round: style }), tweak: { [step]: slip } });
      const report = gradeSubmission('q1', q1Submission(steps, { intermediate: true }), mode === undefined ? {} : { round: mode });
      const slipped = Q1_LABEL[step];
      expect(report.items[slipped]!.status).toBe('wrong');
      expect(report.firstWrong?.name).toBe(slipped);
      expect(report.counts.wrong).toBe(1);
      expect(report.points).toEqual({ earned: 6 - (report.items[slipped]!.maxPoints ?? 0), total: 6 });
      for (const item of Object.values(report.items)) if (item.status === 'carried') expect(item.reading?.from).toBe('own');
    });
  });
});

// A student who slips in h and then writes σ′ = h(1 − h) from the slipped h (as the lecture's
// slides do) carries the slip into σ′ too; the reference recomputes σ′(a) from the correct a.
// Downstream by hand, plain arrays: ∂L/∂a = ∂L/∂h ⊙ h(1 − h), ∂L/∂W = ∂L/∂a xᵀ, ∂L/∂b = ∂L/∂a.
describe('Q1: σ′ worked out from the student’s own (slipped) h — error carried through h(1 − h)', () => {
  const { x, W2 } = { x: [0.05, 0.1], W2: [[0.4, 0.45], [0.5, 0.55]] };
  const r4 = (v: number) => Math.round(Number((v * 1e4).toPrecision(12))) / 1e4;
  const byOutput = (style: number | undefined, slipIn: 'h1' | 'h2') => {
    const r = style === undefined ? (v: number) => v : r4;
    const steps = q1ByHand({ ...(style === undefined ? {} : { round: style }), tweak: { [slipIn]: (h: number[]) => [h[0]! + 0.1, h[1]!] } });
    const fromOutput = (dh: number[], h: number[]) => dh.map((g, i) => r(g * r(h[i]! * (1 - h[i]!))));
    if (slipIn === 'h2') {
      steps.da2 = fromOutput(steps.dh2, steps.h2);
      steps.db2 = steps.da2.slice();
      steps.dW2 = steps.da2.map((g) => steps.h1.map((h) => r(g * h)));
      steps.dh1 = W2[0]!.map((_, j) => r(W2.reduce((sum, row, i) => sum + row[j]! * steps.da2[i]!, 0)));
    }
    steps.da1 = fromOutput(steps.dh1, steps.h1);
    steps.db1 = steps.da1.slice();
    steps.dW1 = steps.da1.map((g) => x.map((xi) => r(g * xi)));
    return steps;
  };

  it.each([
    ['h1', 'exactly', undefined, undefined],
    ['h1', 'rounded to 4 decimals', 4, 4],
    ['h2', 'exactly', undefined, undefined],
    ['h2', 'rounded to 4 decimals', 4, 4],
    ['h1', 'rounded to 4 decimals, graded exact', 4, undefined],
  ] as const)('slip in %s, the rest %s: only the slip is wrong', (slipIn, _, style, mode) => {
    const steps = byOutput(style, slipIn);
    const report = gradeSubmission('q1', q1Submission(steps, { intermediate: true }), mode === undefined ? {} : { round: mode });
    expect(report.items[slipIn]!.status).toBe('wrong');
    expect(report.counts.wrong).toBe(1);
    // The step whose σ′ reads the slipped h: its reading says so.
    const target = slipIn === 'h1' ? '∂L/∂a1' : '∂L/∂a2';
    expect(report.items[target]).toMatchObject({ status: 'carried', reading: { from: 'own', derivative: 'output' } });
    expect(report.items[target]!.message).toContain('worked out from the function');
    if (style === undefined) expect(report.items[target]!.reading?.arithmetic).toBe('exact');
    for (const name of ['∂L/∂W1', '∂L/∂b1', '∂L/∂W2', '∂L/∂b2']) expect(['carried', 'correct']).toContain(report.items[name]!.status);
  });

  it('without the slip, σ′ from h and σ′ from a agree: the reference reading, no derivative note', () => {
    const report = gradeSubmission('q1', q1Submission(q1ByHand(), { intermediate: true }));
    expect(report.items['∂L/∂a1']).toMatchObject({ status: 'correct', reading: { arithmetic: 'exact', from: 'reference' } });
    expect(report.items['∂L/∂a1']!.reading?.derivative).toBeUndefined();
  });

  it('σ′ from the slipped h but a wrong product is still wrong', () => {
    const steps = byOutput(undefined, 'h1');
    steps.da1 = [steps.da1[0]! + 0.01, steps.da1[1]!];
    const report = gradeSubmission('q1', q1Submission(steps, { intermediate: true }));
    expect(report.items['∂L/∂a1']!.status).toBe('wrong');
  });
});
