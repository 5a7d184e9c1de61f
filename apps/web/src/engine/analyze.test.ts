import { q3ByHand } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import type { ProblemState, ViewState } from '../model.ts';
import { analyze } from './analyze.ts';
import { readAnswer } from './answers.ts';
import { preset } from './presets.ts';
import { practise } from './practise.ts';

const exact: ViewState = { gradients: true, simplify: false, round: null };

describe('analyze (the worker\'s pass)', () => {
  it('works Question 3 to the numbers computed by hand, exact and rounded at every step', async () => {
    const byHand = q3ByHand();
    const analysis = await analyze(preset('q3'), exact);
    expect(analysis.errors).toEqual([]);
    const value = (name: string) => analysis.steps.find((s) => s.name === name)!.value;
    expect(value('u1')).toEqual(byHand.u1.map((v) => expect.closeTo(v, 12)));
    expect(value('L')).toBeCloseTo(byHand.L, 12);
    (value('∂L/∂W1') as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo(byHand.dW1.flat()[i]!, 12));
    const rounded = await analyze(preset('q3'), { ...exact, round: 2 });
    expect(rounded.steps.find((s) => s.name === 'L')!.rounded).toBe(q3ByHand({ round: 2 }).L);
  });

  it('puts a parse error at its line and column and computes nothing else', async () => {
    const analysis = await analyze({ ...preset('q3'), equations: 'L = 1/2 ||y - yhat||^2\ny = W x +' }, exact);
    expect(analysis.errors).toHaveLength(1);
    expect(analysis.errors[0]).toMatchObject({ stage: 'equations', line: 2, column: 10 });
    expect(analysis.steps).toEqual([]);
  });

  it('keeps the graph when a value does not fit, and says which value', async () => {
    const q3 = preset('q3');
    const analysis = await analyze({ ...q3, values: { ...q3.values, W1: [[1, 2], [3, 4]] } }, exact);
    expect(analysis.nodes).toHaveLength(21);
    expect(analysis.steps).toEqual([]);
    expect(analysis.errors[0]!.stage).toBe('values');
    expect(analysis.errors[0]!.described).toMatch(/W1|shape|2×2|\[2×2\]/);
  });

  it('survives hostile names and shapes with a clear error, never a crash', async () => {
    const cases: ProblemState[] = [
      { equations: 'L = 1/2 ||constructor x - __proto__||^2', functions: {}, values: { constructor: [[1]], x: [1], __proto__: [0] } as never, wrt: ['constructor'] },
      { equations: 'L = sum(W x)', functions: { toString: 'relu' }, values: { W: [[1, 2]], x: [1, 2, 3] }, wrt: ['W'] },
      { equations: 'L = f(x)', functions: { f: 'nonsense' }, values: { x: [1] }, wrt: ['x'] },
      { equations: 'L = sum(W x)', functions: {}, values: { W: [[1, 'a']] as never, x: [1, 2] }, wrt: ['W'] },
      { equations: '', functions: {}, values: {}, wrt: [] },
    ];
    for (const state of cases) {
      const analysis = await analyze(state, exact);
      for (const error of analysis.errors) {
        expect(error.message, JSON.stringify(state)).not.toMatch(/internal error|undefined|TypeError/);
        expect(error.described.length).toBeGreaterThan(5);
      }
    }
  });

  it('grades a planted slip with error carried forward, from what the student typed', async () => {
    const report = await practise(preset('q3'), { ...exact, round: 2 }, 'q3', { u1: '2.55 4 2.5', z1: '[2.55, 4, 2.5]', u2: '3.7; 3.25' });
    const ids = Object.values(report.items);
    expect(ids.find((i) => i.name === 'u1')).toMatchObject({ status: 'wrong' });
    expect(ids.find((i) => i.name === 'u1')!.offBy).toBeCloseTo(0.1, 12);
    expect(ids.find((i) => i.name === 'z1')).toMatchObject({ status: 'carried' });
    expect(ids.find((i) => i.name === 'u2')).toMatchObject({ status: 'correct' });
    expect(report.firstWrong?.name).toBe('u1');
    expect(report.points).toEqual({ earned: 0.75, total: 7 });
  });

  it('grades a network that binds no function (practice once failed on a problem without `functions`)', async () => {
    // by hand: y = 1·1 + 2·1 = 3, L = ½ (3 − 0)² = 4.5
    const tiny: ProblemState = { equations: 'L = 1/2 ||y - t||^2\ny = W x', functions: {}, values: { W: [[1, 2]], x: [1, 1], t: [0] }, wrt: ['W'], roles: { t: 'target' } };
    const report = await practise(tiny, exact, null, { y: '3', L: '5.5' });
    expect(report.items.y).toMatchObject({ status: 'correct' });
    expect(report.items.L).toMatchObject({ status: 'wrong' });
    expect(report.items.L!.offBy).toBeCloseTo(1, 12);
  });
});

describe('readAnswer', () => {
  it('reads numbers as students type them, shaped like the step', () => {
    expect(readAnswer('2.55, 3.9, 2.5', [3])).toEqual([2.55, 3.9, 2.5]);
    expect(readAnswer('1 2; 3 4', [2, 2])).toEqual([[1, 2], [3, 4]]);
    expect(readAnswer('1 2 3 4', [2, 2])).toEqual([[1, 2], [3, 4]]);
    expect(readAnswer('[[1, 2], [3, 4]]', [2, 2])).toEqual([[1, 2], [3, 4]]);
    expect(readAnswer('−0.5', [])).toBe(-0.5);
    expect(readAnswer('48.24', [])).toBe(48.24);
  });

  it('names what is not a number', () => {
    expect(readAnswer('1, two, 3', [3])).toBe("'two' is not a number");
    expect(readAnswer('  ', [3])).toBe('no number');
    expect(readAnswer('1e999', [])).toBe("'1e999' is not a number");
  });
});
