import { ChainruleError } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { parseProblem, solveProblem } from './index.ts';

const problem = (functions: Record<string, string>) =>
  parseProblem({ equations: ['L = sum(f(W x))'], functions, values: { W: [[1, -2], [3, 4]], x: [1, 2] }, wrt: ['W'] });

describe('"functions" of a problem file', () => {
  it('binds a function in any capitalisation', () => {
    // W x = [−3, 11]; relu → [0, 11], sum 11; ∂L/∂W = relu'(W x) xᵀ = [[0, 0], [1, 2]].
    for (const name of ['relu', 'ReLU', 'RELU']) {
      expect(solveProblem(problem({ f: name })).result).toMatchObject({ loss: 11, gradients: { W: [[0, 0], [1, 2]] } });
    }
  });

  it('refuses an unknown function at its JSON path, naming the closest', () => {
    let error: unknown;
    try {
      problem({ f: 'rleu' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ChainruleError);
    expect((error as ChainruleError).location.path).toEqual(['functions', 'f']);
    expect((error as ChainruleError).message).toMatch(/^'rleu' is not a function chainrule knows \(did you mean relu\?\): one of relu, sigmoid, /);
  });
});
