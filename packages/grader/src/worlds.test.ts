import { describe, expect, it } from 'vitest';
import { createGrader } from './grade.ts';

// The student's own values are recomputed only when a later step needs them, in topological
// order without recursion: a slip followed by thousands of steps left out, then the loss.
describe('error carried forward through steps the student left out', () => {
  const W = [[0.5, -0.25], [0.125, 0.75]];
  const x = [1, -0.5];
  const yhat = [0.25, -0.25];
  const chain = (steps: number) => {
    const equations = ['h1 = tanh(W x)'];
    for (let k = 2; k <= steps; k++) equations.push(`h${k} = tanh(h${k - 1})`);
    equations.push(`L = 1/2 ||h${steps} - yhat||^2`);
    return { equations, values: { W, x, yhat }, wrt: ['W'] };
  };
  /** The loss by hand (plain Math.tanh) from a first step h1. */
  const lossFrom = (h1: number[], steps: number) => {
    let h = h1;
    for (let k = 2; k <= steps; k++) h = h.map(Math.tanh);
    return 0.5 * h.reduce((sum, v, i) => sum + (v - yhat[i]!) ** 2, 0);
  };

  it.each([3, 3000])('a slip in h1, %i steps, only the loss given: the loss from the slipped h1 is carried', (steps) => {
    const h1 = [Math.tanh(0.5 * 1 - 0.25 * -0.5) + 0.1, Math.tanh(0.125 * 1 + 0.75 * -0.5)];
    const report = createGrader(chain(steps), { round: null }).grade({ values: { h1 }, loss: lossFrom(h1, steps) });
    expect(report.items.h1!.status).toBe('wrong');
    expect(report.items.L!.status).toBe('carried');
    expect(report.items.L!.reading).toEqual({ arithmetic: 'exact', from: 'own' });
    expect(report.items.L!.recomputed as number).toBeCloseTo(lossFrom(h1, steps), 12);
    expect(report.items[`h${steps}`]!.status).toBe('missing');
    // Missing: h2 … h<steps>, and ∂L/∂W.
    expect(report.counts).toEqual({ correct: 0, wrong: 1, missing: steps, carried: 1 });
  });

  it('the right first step and the loss alone: nothing is carried, the loss is correct', () => {
    const h1 = [Math.tanh(0.625), Math.tanh(-0.25)];
    const report = createGrader(chain(50), { round: null }).grade({ values: { h1 }, loss: lossFrom(h1, 50) });
    expect(report.items.h1!.status).toBe('correct');
    expect(report.items.L!.status).toBe('correct');
    expect(report.items.L!.recomputed).toBeUndefined();
  });
});
