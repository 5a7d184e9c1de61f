import { describe, expect, it } from 'vitest';
import { PREPARED_CACHE_SIZE, prepareProblem } from './prepared.ts';
import { parseProblem, problemGraph, solveProblem } from './problem.ts';

const small = (x: number[] = [1, 1]) =>
  parseProblem({ equations: ['L = 1/2 ||y - yhat||^2', 'y = W x'], values: { W: [[1, 2]], x, yhat: [0] }, wrt: ['W'] });

describe('prepareProblem', () => {
  it('builds the graphs once per equations and shapes, and evaluates them with any values', () => {
    const prepared = prepareProblem(small());
    expect(prepareProblem(structuredClone(small([5, -3])))).toBe(prepared);
    expect(solveProblem(small()).graph).toBe(prepared.graph);
    expect(solveProblem(small()).gradientGraph).toBe(prepared.withGradients);
    // By hand: y = 1·x1 + 2·x2, L = y²/2, ∂L/∂W = y xᵀ.
    expect(prepared.solve(small()).result).toEqual({ loss: 4.5, values: { y: [3], L: 4.5 }, gradients: { W: [[3, 3]] } });
    expect(prepared.solve(small([3, -1])).result).toEqual({ loss: 0.5, values: { y: [1], L: 0.5 }, gradients: { W: [[3, -1]] } });
  });

  it('prepares again when a shape, the equations or wrt change', () => {
    const prepared = prepareProblem(small());
    expect(prepareProblem(small([1, 1, 1]))).not.toBe(prepared);
    expect(prepareProblem({ ...small(), wrt: ['x'] })).not.toBe(prepared);
    expect(prepareProblem(small(), { wrt: ['x'] })).not.toBe(prepared);
    expect(prepareProblem({ ...small(), equations: ['L = 1/2 ||y - yhat||^2', 'y = W x '] })).not.toBe(prepared);
  });

  it('keeps at most PREPARED_CACHE_SIZE problems, the least recently used going first', () => {
    const first = prepareProblem(small([0.5]));
    const kept = prepareProblem(small());
    for (let n = 0; n < PREPARED_CACHE_SIZE - 1; n++) {
      prepareProblem(parseProblem({ equations: `L = sum(W x${n})`, values: {} }));
      prepareProblem(small());
    }
    expect(prepareProblem(small())).toBe(kept);
    expect(prepareProblem(small([0.5]))).not.toBe(first);
  });

  it('keeps no failure: a problem that cannot be prepared fails every time, with its location', () => {
    const broken = parseProblem({ equations: ['L = sum(y', 'y = W x'] });
    for (let i = 0; i < 2; i++) expect(() => prepareProblem(broken)).toThrow(expect.objectContaining({ code: 'parse', location: expect.objectContaining({ path: ['equations', 0] }) }));
  });

  it('exports the forward graph of a problem without a single loss, and refuses to differentiate it', () => {
    const problem = parseProblem({ equations: ['a = 2 x', 'b = 3 x'], wrt: ['x'] });
    expect(problemGraph(problem).nodes.map((n) => n.id)).toEqual(['x', 'a', 'b']);
    expect(() => prepareProblem(problem).withGradients).toThrow(expect.objectContaining({ code: 'problem', location: { path: ['loss'] } }));
  });

  it('checks the names of values and wrt in the order solveProblem always did', () => {
    const problem = parseProblem({ equations: 'L = sum(W x)', values: { W: [[1]], x: [1], nope: 1 }, wrt: ['zzz'] });
    expect(() => solveProblem(problem)).toThrow(expect.objectContaining({ location: { path: ['values', 'nope'] } }));
    expect(() => solveProblem({ ...problem, values: { W: [[1]], x: [1] } })).toThrow(expect.objectContaining({ location: { path: ['wrt', 0] } }));
    expect(() => solveProblem({ ...problem, values: { L: 2 }, wrt: [] })).toThrow(/computed by line 1/);
    expect(() => solveProblem({ ...problem, values: { constructor: 2 }, wrt: [] })).toThrow(expect.objectContaining({ location: { path: ['values', 'constructor'] } }));
  });

  it('tells the shapes of a scalar, a vector and a matrix apart, and keeps a leaf spelling resolved, never a fault', () => {
    const problem = (x: number | number[] | number[][]) => parseProblem({ equations: 'L = sum(W x)', values: { W: 2, x } });
    const prepared = [problem(1), problem([1]), problem([[1]]), problem([]), problem([[]])].map((p) => prepareProblem(p));
    expect(new Set(prepared).size).toBe(5);
    const hatted = prepareProblem(parseProblem({ equations: 'L = 1/2 ||y - ŷ||^2', values: { y: [1], 'ŷ': [0] } }));
    for (let i = 0; i < 2; i++) {
      expect(hatted.leafKey('ŷ', ['values', 'ŷ'])).toBe('yhat');
      expect(hatted.leafKey('y_hat', ['values', 'y_hat'])).toBe('yhat');
      expect(() => hatted.leafKey('L', ['values', 'L'])).toThrow(/computed by line 1/);
      expect(() => hatted.leafKey('z', ['values', 'z'])).toThrow(/not a name in the equations/);
    }
  });
});
