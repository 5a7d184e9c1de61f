import { ChainruleError } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { buildGraph, evaluate, gradientGraph, gradientId } from './index.ts';
import { closestFunctionName, functionOp } from './function-names.ts';

/** The graph of equations as the builder makes it: ids, kinds and expressions (bound-function aliases left out). */
function shape(source: string | string[], options: Parameters<typeof buildGraph>[1] = {}): unknown {
  const nodes = buildGraph(source, options).nodes.map(({ id, kind, expression }) => ({ id, kind, expression }));
  return JSON.parse(JSON.stringify(nodes, (key, value) => (key === 'alias' ? undefined : value)));
}

function buildFailure(source: string | string[], options: Parameters<typeof buildGraph>[1] = {}): ChainruleError {
  try {
    buildGraph(source, options);
  } catch (error) {
    if (error instanceof ChainruleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be refused`);
}

/** Forward and backward numbers of `L` for W = [[1, -2], [3, 4]], x = [1, 2]. */
function numbers(source: string | string[], options: Parameters<typeof buildGraph>[1] = {}) {
  const graph = gradientGraph(buildGraph(source, { wrt: ['W'], ...options }), ['W']);
  const values = evaluate(graph, { W: [[1, -2], [3, 4]], x: [1, 2], 'ŷ': [1, 1] });
  return { loss: Array.from(values.get('L')!.data), gradient: Array.from(values.get(gradientId('L', 'W'))!.data) };
}

describe('function names in any capitalisation and markup', () => {
  // W x = [1 − 4, 3 + 8] = [−3, 11]; relu → [0, 11], sum 11; ∂/∂W = relu'(W x) xᵀ = [[0, 0], [1, 2]].
  const relu = { loss: [11], gradient: [0, 0, 1, 2] };
  it.each([
    'L = sum(relu(W x))',
    'L = sum(ReLU(W x))',
    'L = sum(RELU(W x))',
    String.raw`L = \operatorname{sum}(\operatorname{ReLU}(W x))`,
    String.raw`L = \text{sum}\left(\text{ReLU}(W x)\right)`,
    String.raw`L = \mathrm{Sum}(\mathrm{ReLU}(W x))`,
    'L = sum(max(0, W x))',
    String.raw`L = \operatorname{sum}(\max\{0, W x\})`,
    'L = sum(f(W x)); f = ReLU',
    String.raw`L = \operatorname{sum}(f(W x)) \\ f = \operatorname{ReLU}`,
  ])('%s', (source) => {
    expect(shape(source)).toEqual(shape('L = sum(relu(W x))'));
    expect(numbers(source)).toEqual(relu);
  });

  // A binding line before (or inside) the LaTeX block of the equations is taken.
  it.each([
    'f = relu\n\\begin{aligned}\nL &= \\operatorname{sum}(\\boldsymbol{z}) \\\\\n\\boldsymbol{z} &= f(\\boldsymbol{W} \\boldsymbol{x})\n\\end{aligned}',
    'f = \\operatorname{ReLU}\n\n\\begin{aligned} L &= \\operatorname{sum}(z) \\\\ z &= f(W x) \\end{aligned}',
    '\\begin{aligned} f &= \\mathrm{ReLU} \\\\ L &= \\operatorname{sum}(z) \\\\ z &= f(W x) \\end{aligned}',
  ])('%s', (source) => {
    expect(shape(source)).toEqual(shape(['L = sum(z)', 'z = relu(W x)']));
    expect(numbers(source)).toEqual(relu);
  });

  it('binds problem-file functions in any capitalisation', () => {
    expect(numbers('L = sum(f(W x))', { functions: { f: 'ReLU' } })).toEqual(relu);
    expect(shape('L = sum(g(W x))', { functions: { g: 'Sigmoid' } })).toEqual(shape('L = sum(sigmoid(W x))'));
    expect(shape('L = sum(TANH(W x))')).toEqual(shape('L = sum(tanh(W x))'));
  });

  it('keeps a single capital letter a matrix: Σ is not σ', () => {
    expect(functionOp({ key: 'Sigma', text: 'Σ' })).toBeUndefined();
    expect(functionOp({ key: 'sigma', text: 'σ' })).toBe('sigmoid');
    expect(buildGraph('L = sum(Σ x)').node('Sigma').kind).toBe('input');
  });
});

describe('the exponential written as a power of e', () => {
  it('gives the sigmoid written out the sigmoid’s numbers', () => {
    // σ(−3) = 1/(1 + e³) = 0.04742587317756678, σ(11) = 1/(1 + e⁻¹¹) = 0.999983298578152 (hand-computed).
    const written = numbers(String.raw`L = \operatorname{sum}\left(\frac{1}{1 + e^{-W x}}\right)`);
    const builtin = numbers('L = sum(sigmoid(W x))');
    expect(written.loss[0]).toBeCloseTo(0.04742587317756678 + 0.999983298578152, 14);
    written.gradient.forEach((value, i) => expect(value).toBeCloseTo(builtin.gradient[i]!, 14));
  });
});

describe('names that clash with functions', () => {
  it('leaves names of object properties alone', () => {
    expect(buildGraph('constructor = x\nL = sum(constructor)').node('constructor').kind).toBe('intermediate');
    expect(buildFailure('L = sum(constructor(x))').message).toMatch(/^'constructor' is applied like a function but is not bound to one/);
    expect(buildFailure('L = sum(f(x))', { functions: { f: 'toString' } }).message).toMatch(/^function 'f' is bound to 'toString', which is not one of relu, /);
  });

  it('refuses a variable named like a function', () => {
    for (const [source, name] of [['relu = x + 1\nL = sum(relu)', 'relu'], ['ReLU = x\nL = sum(ReLU)', 'ReLU'], ['σ = x\nL = sum(σ)', 'σ']] as const) {
      const error = buildFailure(source);
      expect({ code: error.code, location: error.location, message: error.message }).toEqual({
        code: 'graph',
        location: { line: 1, column: 1 },
        message: `'${name}' is the name of a function (${name}(u)) and cannot also name a variable: call the variable something else`,
      });
    }
  });

  it('names the closest known function for a misspelt one', () => {
    expect(buildFailure('L = sum(rleu(W x))')).toMatchObject({ location: { line: 1, column: 9 }, message: "'rleu' is not a function chainrule knows: did you mean relu?" });
    expect(buildFailure('L = sum(Sigmod(W x))').message).toBe("'Sigmod' is not a function chainrule knows: did you mean sigmoid?");
    expect(buildFailure('L = sum(f(W x))\nf = tahn')).toMatchObject({ location: { line: 2, column: 5 }, message: "'tahn' is not a function chainrule knows: did you mean tanh?" });
    expect(buildFailure('L = sum(f(W x))', { functions: { f: 'reLu2' } }).message).toMatch(/which is not one of .* \(did you mean relu\?\)$/);
    // Not a typo: an unbound f, and a matrix applied to a sum.
    expect(buildFailure('L = sum(f(W x))').message).toMatch(/^'f' is applied like a function but is not bound to one/);
    expect(buildGraph('L = sum(W (x + x))').node('L').expression).toMatchObject({ args: [{ op: 'matmul' }] });
  });

  it('finds close names only', () => {
    expect(closestFunctionName('softmx')).toBe('softmax');
    expect(closestFunctionName('Tanh')).toBe('tanh');
    expect(closestFunctionName('Wx')).toBeUndefined();
    expect(closestFunctionName('weights')).toBeUndefined();
  });
});

describe('the quadratic form', () => {
  // y = W x = [−3, 11], e = y − ŷ = [−4, 10]; eᵀe = 16 + 100 = 116; ∂(eᵀe)/∂W = 2 e xᵀ = [[−8, −16], [20, 40]].
  it.each([
    ['L = (y - ŷ)^T (y - ŷ)\ny = W x', [116], [-8, -16, 20, 40]],
    ['L = (y − ŷ)ᵀ(y − ŷ); y = W x', [116], [-8, -16, 20, 40]],
    ['L = 1/2 (y - ŷ)^T (y - ŷ)\ny = W x', [58], [-4, -8, 10, 20]],
    ['L = ½ (y − ŷ)ᵀ(y − ŷ); y = W x', [58], [-4, -8, 10, 20]],
    [String.raw`\mathcal{L} = \frac{1}{2} (\boldsymbol{y} - \hat{\boldsymbol{y}})^{\top} (\boldsymbol{y} - \hat{\boldsymbol{y}}) \\ \boldsymbol{y} = \boldsymbol{W}\boldsymbol{x}`, [58], [-4, -8, 10, 20]],
  ])('%s', (source, loss, gradient) => {
    expect(numbers(source)).toEqual({ loss, gradient });
  });

  it('is a number where a number is needed: added to one, scaled by one', () => {
    // eᵀe + 2 = 118; (eᵀe) e = [−464, 1160] summed = 696.
    expect(numbers('L = (y - ŷ)ᵀ(y - ŷ) + 2; y = W x').loss).toEqual([118]);
    expect(numbers('L = sum(((y - ŷ)ᵀ(y - ŷ)) * (y - ŷ)); y = W x').loss).toEqual([696]);
  });

  it('still refuses a number next to a matrix it cannot be 1×1 with', () => {
    const graph = buildGraph('L = sum(s W x)', { wrt: ['W'] });
    expect(() => evaluate(graph, { s: 2, W: [[1, -2], [3, 4]], x: [1, 2] })).toThrow(/a scalar in a matrix product: write `a \* x` to scale/);
  });
});
