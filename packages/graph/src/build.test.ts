import fc from 'fast-check';
import { ChainruleError } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { EXPRESSION_DEPTH_LIMIT, buildGraph, compareIds } from './build.ts';
import { apply, constant, ref } from './expr.ts';
import { defineDerivedOp } from './ops/index.ts';

const kinds = (source: string | string[], options = {}) => Object.fromEntries(buildGraph(source, options).nodes.map((n) => [n.id, n.kind]));

describe('buildGraph: leaf roles', () => {
  it('makes wrt leaves parameters, hatted leaves targets and the rest inputs', () => {
    expect(kinds(['L = ||y - ŷ||^2', 'y = W x + b'], { wrt: ['W'] })).toEqual({ x: 'input', b: 'input', W: 'parameter', yhat: 'target', y: 'intermediate', L: 'loss' });
  });
  it('lets roles override the rule, in any spelling of the name', () => {
    expect(kinds(['L = ||y - ŷ||^2', 'y = W_1 x'], { roles: { W1: 'parameter', y_hat: 'input' } })).toMatchObject({ W1: 'parameter', yhat: 'input' });
  });
  it('refuses a role for a computed node', () => {
    expect(() => buildGraph(['L = sum(y)', 'y = 2 x'], { roles: { y: 'input' } })).toThrow("a role is given for 'y', but it is computed by an equation, not a leaf");
  });
  it('orders leaves input, parameter, target, each by name with numbers in numeric order', () => {
    const graph = buildGraph(['L = ||y - ŷ||^2', 'y = W10 W2 x'], { wrt: ['W10', 'W2'] });
    expect(graph.leaves().map((n) => n.id)).toEqual(['x', 'W2', 'W10', 'yhat']);
  });
});

describe('buildGraph: order and loss', () => {
  it('puts each value right after the values it needs, operands left to right (as a student computes)', () => {
    const graph = buildGraph(['L = 1/2 ||y - yhat||^2', 'y = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x', 'f = relu']);
    expect(graph.nodes.filter((n) => n.expression).map((n) => n.id)).toEqual(['u1', 'z1', 'u3', 'u2', 'z2', 'y', 'L']);
    expect(graph.loss).toBe('L');
  });
  it('chooses the only unused node as the loss, or L among several, or the one asked for', () => {
    expect(buildGraph(['E = sum(y)', 'y = 2 x']).loss).toBe('E');
    expect(buildGraph(['L = sum(y)', 'M = sum(y)', 'y = 2 x']).loss).toBe('L');
    expect(buildGraph(['A = sum(y)', 'B = sum(y)', 'y = 2 x']).loss).toBeUndefined();
    expect(buildGraph(['A = sum(y)', 'B = sum(y)', 'y = 2 x'], { loss: 'B' }).loss).toBe('B');
    expect(() => buildGraph(['A = sum(y)', 'y = 2 x'], { loss: 'C' })).toThrow("the loss 'C' is not defined by any equation");
  });
  it('keeps the equation and its line on each computed node', () => {
    const node = buildGraph(['L = sum(y)', '', 'y = 2 x']).node('y');
    expect(node.equation).toEqual({ source: 'y = 2 x', line: 3 });
  });
});

describe('buildGraph: expressions', () => {
  const rhs = (source: string[], id: string, options = {}) => buildGraph(source, options).node(id).expression;

  it('writes subtraction, division and squares with primitives, and folds numbers keeping their spelling', () => {
    expect(rhs(['L = sum(d)', 'd = a - b'], 'd')).toEqual(apply('add', [ref('a'), apply('neg', [ref('b')])]));
    expect(rhs(['L = sum(d)', 'd = a / b'], 'd')).toEqual(apply('mul', [ref('a'), apply('recip', [ref('b')])]));
    expect(rhs(['L = sum(d)', 'd = a / 4'], 'd')).toEqual(apply('mul', [ref('a'), constant(0.25, '1/4')]));
    expect(rhs(['L = 1/2 ||e||^2'], 'L')).toEqual(apply('mul', [constant(0.5, '1/2'), apply('squaredNorm', [ref('e')])]));
    expect(rhs(['L = sum(e^2)'], 'L')).toEqual(apply('sum', [apply('mul', [ref('e'), ref('e')])]));
    expect(rhs(['L = sum(d)', 'd = 2 - 3 x'], 'd')).toEqual(apply('add', [constant(2, '2'), apply('neg', [apply('mul', [constant(3, '3'), ref('x')])])]));
  });
  it('reads juxtaposition as the matrix product, W (x + b) too, and a number next to a matrix as scaling', () => {
    expect(rhs(['L = sum(y)', 'y = W (x + b)'], 'y')).toEqual(apply('matmul', [ref('W'), apply('add', [ref('x'), ref('b')])]));
    expect(rhs(['L = sum(y)', 'y = 2 W'], 'y')).toEqual(apply('mul', [constant(2, '2'), ref('W')]));
    expect(rhs(['L = sum(y)', 'y = Wᵀ x'], 'y')).toEqual(apply('matmul', [apply('transpose', [ref('W')]), ref('x')]));
  });
  it('binds functions from a line f = relu or from options, keeping the name they were bound to', () => {
    expect(rhs(['L = sum(z)', 'z = f(u)', 'f = relu'], 'z')).toEqual(apply('relu', [ref('u')], 'f'));
    expect(rhs(['L = sum(z)', 'z = g(u)'], 'z', { functions: { g: 'sigma' } })).toEqual(apply('sigmoid', [ref('u')], 'g'));
    expect(rhs(['L = sum(z)', 'z = tanh(u)'], 'z')).toEqual(apply('tanh', [ref('u')]));
    expect(rhs(['L = sum(z)', 'z = softplus(u)'], 'z')).toEqual(apply('log', [apply('add', [constant(1), apply('exp', [ref('u')])])]));
  });
  it('says what is wrong with a function, with the position', () => {
    const fault = (source: string[]) => {
      try {
        buildGraph(source);
      } catch (error) {
        return error instanceof ChainruleError ? [error.message, error.location.line] : error;
      }
      return 'no error';
    };
    expect(fault(['L = sum(z)', 'z = f(u)'])).toEqual([
      "'f' is applied like a function but is not bound to one: add a line 'f = relu' (or sigmoid, tanh, …) or \"functions\": {\"f\": \"relu\"}",
      2,
    ]);
    expect(fault(['L = sum(z)', 'z = relu(u, v)'])).toEqual(['relu(…) takes one argument, got 2', 2]);
    // `z = relu` binds z to relu, so z is a function too.
    expect(fault(['L = sum(z)', 'z = relu'])).toEqual(["'z' is a function: apply it to an argument, e.g. z(u)", 1]);
    expect(() => buildGraph('y = f(x)', { functions: { f: 'gelu' } })).toThrow(/'gelu', which is not one of relu, sigmoid, sigma, tanh, softmax, exp, log, ln, sum, softplus/);
    expect(() => buildGraph(['L = sum(z)', 'z = f(u)', 'f = relu', 'f = 2 u'])).toThrow("'f' is a function and cannot also be defined by an equation");
  });
  it('names both lines of a name defined twice, and the equations of a cycle', () => {
    expect(() => buildGraph(['y = 2 x', 'y = 3 x'])).toThrow("'y' is defined twice: on line 1 (y = 2 x) and here (y = 3 x)");
    expect(() => buildGraph(['a = 2 b', 'b = 3 a'])).toThrow("the equations form a cycle: 'a = 2 b' (line 1), 'b = 3 a' (line 2) depend on each other");
  });
  it('orders the values as a derived op reads its operands, in the order of its template', () => {
    // backsub(a, b) = b − a: its template reads b first, so b's value is computed first.
    defineDerivedOp({ name: 'backsub', arity: 2, names: ['backsub'], expand: ([a, b]) => apply('add', [b!, apply('neg', [a!])]) });
    const graph = buildGraph(['L = sum(y)', 'y = backsub(p, q)', 'p = 2 a', 'q = 3 b']);
    expect(graph.nodes.filter((n) => n.expression).map((n) => n.id)).toEqual(['q', 'p', 'y', 'L']);
    expect(graph.edges().filter((e) => e.to === 'y')).toEqual([{ from: 'q', to: 'y' }, { from: 'p', to: 'y' }]);
    // A template reading its operands in order (a − b) keeps the order they are written in.
    expect(buildGraph(['L = sum(y)', 'y = p - q', 'p = 2 a', 'q = 3 b']).nodes.filter((n) => n.expression).map((n) => n.id)).toEqual(['p', 'q', 'y', 'L']);
  });
  it('treats a name like constructor as an ordinary variable', () => {
    const graph = buildGraph(['L = sum(constructor)', 'constructor = 2 toString'], { functions: {} });
    expect(graph.leaves().map((n) => n.id)).toEqual(['toString']);
    expect(() => buildGraph('y = f(x)', { functions: { f: 'constructor' } })).toThrow(/'constructor', which is not one of/);
  });
});

describe('the depth of one expression', () => {
  it('builds a sum of 4,900 terms and a product of 5,001 factors (5,000 deep) without recursion', () => {
    const terms = Array.from({ length: 4_900 }, (_, k) => `tanh(x${k % 7})`).join(' + ');
    const graph = buildGraph([`L = sum(${terms})`]);
    expect(graph.leaves().map((leaf) => leaf.id)).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6']);
    expect(buildGraph([`L = ${Array(EXPRESSION_DEPTH_LIMIT + 1).fill('W').join(' ')}`]).node('L').expression!.kind).toBe('op');
  });

  it(`refuses an expression nested deeper than EXPRESSION_DEPTH_LIMIT before building it, naming the equation, line and column`, () => {
    const tooDeep = Array(EXPRESSION_DEPTH_LIMIT + 2).fill('W').join(' ');
    const error = (() => {
      try {
        buildGraph(['y = W x', `  L = sum(${tooDeep})`]);
      } catch (caught) {
        return caught as ChainruleError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ChainruleError);
    expect(error!.code).toBe('limit');
    expect(error!.message).toBe(
      "equation 2 ('L', line 2, column 3) nests deeper than the limit of 5,000 operators (a sum of n terms or a product of n factors is n − 1 deep): split it into several equations",
    );
    expect(error!.location).toMatchObject({ line: 2, column: 3 });
  });

  it('counts the depth on each path: one branch at the limit and one past it, in either order, and a refused equation after an accepted one', () => {
    // A product of n factors is n − 1 deep; inside `sum(…) + x` it sits 2 deeper.
    const factors = (n: number) => Array(n).fill('W').join(' ');
    const atLimit = `L = sum(${factors(EXPRESSION_DEPTH_LIMIT - 1)}) + x`;
    expect(buildGraph([atLimit]).loss).toBe('L');
    const past = (text: string) => () => buildGraph(['y = W x', text]);
    const message = /^equation 2 \('L', line 2, column 1\) nests deeper than the limit of 5,000 operators/;
    expect(past(`L = sum(${factors(EXPRESSION_DEPTH_LIMIT)}) + x`)).toThrow(message);
    expect(past(`L = x + sum(${factors(EXPRESSION_DEPTH_LIMIT)})`)).toThrow(message);
    expect(past(`L = sum(${factors(EXPRESSION_DEPTH_LIMIT)}) + sum(${factors(3)})`)).toThrow(message);
  });
});

describe('compareIds', () => {
  it('orders ids as Intl.Collator("en", { numeric: true }) does', () => {
    const collator = new Intl.Collator('en', { numeric: true });
    const ids = fc.string({ unit: fc.constantFrom(...'aAbBwWxyzZ0123456789_ŷé'), maxLength: 6 });
    fc.assert(
      fc.property(ids, ids, (a, b) => {
        expect(Math.sign(compareIds(a, b))).toBe(Math.sign(collator.compare(a, b)));
      }),
      { numRuns: 5_000 },
    );
    expect(['W10', 'x', 'W2', 'yhat', 'b1', 'B', 'a'].sort(compareIds)).toEqual(['a', 'B', 'b1', 'W2', 'W10', 'x', 'yhat']);
  });
});
