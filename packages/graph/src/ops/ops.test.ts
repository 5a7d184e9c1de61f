import { type Tensor, map, tensor } from '@chainrule/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../build.ts';
import { evaluate, evaluateExpr } from '../evaluate.ts';
import { apply, constant, ref } from '../expr.ts';
import { gradientGraph } from '../gradient.ts';
import { formatExpr } from '../print.ts';
import { FUNCTIONS, activationNames, defineDerivedOp, defineOp, derivativeName, expandOp, lookThrough, mapForward, opRecord } from './index.ts';

const H = 1e-6;
/** Central difference of a scalar function f at v. */
const slope = (f: (v: number) => number, v: number) => (f(v + H) - f(v - H)) / (2 * H);
const at = (forward: (t: readonly Tensor[]) => Tensor) => (v: number) => forward([tensor([v])]).at(0);

describe('the op table', () => {
  it('generates f′ from each entry that declares a derivative, agreeing with central differences of f', () => {
    for (const op of ['relu', 'sigmoid', 'tanh']) {
      const f = at(opRecord(op).forward);
      const fPrime = at(opRecord(derivativeName(op)).forward);
      expect(opRecord(derivativeName(op)).derivativeOf).toBe(op);
      fc.assert(
        fc.property(fc.double({ min: -4, max: 4, noNaN: true }).filter((v) => Math.abs(v) > 1e-3), (v) => {
          expect(fPrime(v)).toBeCloseTo(slope(f, v), 6);
        }),
      );
    }
  });

  it('writes f′ from the function\'s value y = f(u) where it has that form (σ′ = y(1 − y)), agreeing with central differences of f', () => {
    for (const op of ['relu', 'sigmoid', 'tanh']) {
      const f = at(opRecord(op).forward);
      const fromOutput = opRecord(derivativeName(op)).fromOutput!;
      for (const v of [-2.5, -0.3, 0.7, 1.9]) expect(fromOutput(tensor([f(v)])).at(0)).toBeCloseTo(slope(f, v), 6);
    }
    expect(opRecord('sigmoid').fromOutput).toBeUndefined();
  });

  it('has second derivatives (the rules of f′) that agree with central differences of f′', () => {
    for (const op of ['sigmoid', 'tanh']) {
      const record = opRecord(derivativeName(op));
      const node = apply(record.name, [ref('u')]);
      for (const v of [-2.5, -0.3, 0.7, 1.9]) {
        const [rule] = record.gradient!({ dy: constant(1), node, args: [ref('u')] });
        const symbolic = evaluateExpr(rule!, new Map([['u', tensor([v])]])).at(0);
        expect(symbolic).toBeCloseTo(slope(at(record.forward), v), 6);
      }
    }
    // relu″ is 0 everywhere it exists: a symbolic zero, not a tensor of zeros.
    expect(opRecord("relu'").gradient!({ dy: constant(1), node: apply("relu'", [ref('u')]), args: [ref('u')] })).toEqual([null]);
  });

  it('binds the function names and activations from the entries', () => {
    expect(FUNCTIONS.relu).toBe('relu');
    expect(FUNCTIONS.sigma).toBe('sigmoid');
    expect(FUNCTIONS.ln).toBe('log');
    expect(Object.hasOwn(FUNCTIONS, 'constructor')).toBe(false);
    expect(Object.keys(FUNCTIONS).slice(0, 9)).toEqual(['relu', 'sigmoid', 'sigma', 'tanh', 'softmax', 'exp', 'log', 'ln', 'sum']);
    expect(activationNames()).toEqual(['relu', 'sigmoid', 'tanh', 'softmax', 'softplus']);
  });

  it('fails loudly for an op it does not know', () => {
    expect(() => opRecord('gelu')).toThrow("'gelu' is not an op of the table");
    expect(() => opRecord('softplus')).toThrow(/derived op/);
  });

  it('refuses an op or a function name defined twice', () => {
    expect(() => defineOp({ name: 'relu', arity: 1, forward: ([u]) => u! })).toThrow("the op 'relu' is defined twice");
    expect(() => defineOp({ name: 'myrelu', arity: 1, names: ['sigma'], forward: ([u]) => u! })).toThrow("'sigma' binds to 'sigmoid' already");
    expect(() => defineOp({ name: 'bad name', arity: 1, forward: ([u]) => u! })).toThrow(/an op name is a word/);
  });

  it('looks through bookkeeping ops only', () => {
    const g = ref('g');
    expect(lookThrough(apply('unbroadcast', [apply('expand', [g, ref('a')]), ref('b')]))).toBe(g);
    const product = apply('mul', [g, g]);
    expect(lookThrough(product)).toBe(product);
  });
});

describe('an op without a gradient rule', () => {
  defineOp({ name: 'floor', arity: 1, elementwise: true, names: ['floor'], forward: mapForward(Math.floor) });

  it('evaluates and prints, but differentiating through it fails naming the op', () => {
    const graph = buildGraph(['L = sum(floor(W x))'], { wrt: ['W'] });
    // floor(1.5·2 + 0.25·4) = floor(4) = 4, floor(−0.5·2 + 1·4) = floor(3) = 3
    expect(evaluate(graph, { W: [[1.5, 0.25], [-0.5, 1]], x: [2, 4] }).get('L')!.item()).toBe(7);
    expect(formatExpr(graph.node('L').expression!, graph)).toBe('sum(floor(W x))');
    expect(() => gradientGraph(graph, ['W'])).toThrow("cannot differentiate through 'floor': the op table has no gradient rule for it");
  });
});

describe('derived ops', () => {
  it('expand softplus into log(1 + exp(u)), which differentiates to σ(u) without a rule of its own', () => {
    const graph = gradientGraph(buildGraph(['L = sum(softplus(u))']), ['u']);
    expect(formatExpr(graph.node('L').expression!, graph)).toBe('sum(log(1 + exp(u)))');
    const u = [-1.2, 0, 2.5];
    const values = evaluate(graph, { u });
    // softplus(u) = log(1 + e^u) by hand, and its derivative the logistic function 1/(1 + e^−u).
    expect(values.get('L')!.item()).toBeCloseTo(u.reduce((s, v) => s + Math.log(1 + Math.exp(v)), 0), 12);
    Array.from(values.get('dL/du')!.data).forEach((d, i) => expect(d).toBeCloseTo(1 / (1 + Math.exp(-u[i]!)), 12));
  });

  it('write subtraction, division and squares with primitives', () => {
    expect(expandOp('sub', [ref('a'), ref('b')])).toEqual(apply('add', [ref('a'), apply('neg', [ref('b')])]));
    expect(expandOp('sub', [ref('a'), constant(2)])).toEqual(apply('add', [ref('a'), constant(-2)]));
    expect(expandOp('div', [ref('a'), constant(2, '2')])).toEqual(apply('mul', [ref('a'), constant(0.5, '1/2')]));
    expect(expandOp('square', [ref('e')])).toEqual(apply('mul', [ref('e'), ref('e')]));
  });

  it('can be added in one place', () => {
    defineDerivedOp({ name: 'cube', arity: 1, names: ['cube'], expand: ([u]) => apply('mul', [u!, apply('mul', [u!, u!])]) });
    const graph = gradientGraph(buildGraph(['L = sum(cube(u))']), ['u']);
    // d/du Σ u³ = 3u²: at u = [2, −1], [12, 3].
    expect(Array.from(evaluate(graph, { u: [2, -1] }).get('dL/du')!.data)).toEqual([12, 3]);
  });
});

describe('mapForward', () => {
  it('applies a scalar function entry by entry', () => {
    expect(mapForward(Math.abs)([tensor([[-1, 2]])]).toArray()).toEqual([[1, 2]]);
    expect(map(tensor([1]), (v) => v + 1).toArray()).toEqual([2]);
  });
});

describe('mean and mean squared error, derived from sum and size', () => {
  it('average the entries, and differentiate to 1/n and 2 (y − ŷ)/n', () => {
    const graph = gradientGraph(buildGraph(['L = mse(y, t)', 'y = W x'], { wrt: ['W'] }), ['W']);
    expect(formatExpr(graph.node('L').expression!, graph)).toBe('sum((y − t)²) / size(y − t)');
    // y = [1, 2, 3]·1 = [1, 2, 3], t = [1, 1, 1]: (0 + 1 + 4)/3; ∂L/∂y = 2(y − t)/3 = [0, 2/3, 4/3].
    const values = evaluate(graph, { W: [[1], [2], [3]], x: [1], t: [1, 1, 1] });
    expect(values.get('L')!.item()).toBeCloseTo(5 / 3, 15);
    Array.from(values.get('dL/dy')!.data).forEach((d, i) => expect(d).toBeCloseTo([0, 2 / 3, 4 / 3][i]!, 15));
    const mean = evaluate(gradientGraph(buildGraph(['L = mean(u)']), ['u']), { u: [[1, 2], [3, 6]] });
    expect(mean.get('L')!.item()).toBe(3);
    expect(mean.get('dL/du')!.toArray()).toEqual([[0.25, 0.25], [0.25, 0.25]]);
  });
});
