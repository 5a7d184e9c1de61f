import { ChainruleError, formatJsonPath } from '@chainrule/graph';
import { describe, expect, it } from 'vitest';
import type { Block } from './document.ts';
import { type LayeredNetwork, layeredProblem, parseLayeredNetwork } from '@chainrule/problem';
import { POINTS, standInQ1Network } from '@chainrule/assignment9';
import { question1 } from './questions.ts';
import { renderSolution } from './render/index.ts';
import { solutionSheet } from './sheet.ts';
import { type Mat, type Vec, add, expectClose, hadamard, halfSquaredNorm, inlineText, matTVec, matVec, outer, relu, sigmoid, sub } from './test-fixtures/plain-math.ts';

// ---------------------------------------------------------------------------------------------
// Question 1
// ---------------------------------------------------------------------------------------------

/** Independent forward/backward pass of a 2-layer sigmoid network with biases and ½‖ŷ − h2‖². */
function sigmoidNet(x: Vec, yhat: Vec, w1: Mat, b1: Vec, w2: Mat, b2: Vec) {
  const a1 = add(matVec(w1, x), b1);
  const h1 = sigmoid(a1);
  const a2 = add(matVec(w2, h1), b2);
  const h2 = sigmoid(a2);
  const L = halfSquaredNorm(sub(yhat, h2));
  const dh2 = sub(h2, yhat);
  const da2 = hadamard(dh2, h2.map((v) => v * (1 - v)));
  const dh1 = matTVec(w2, da2);
  const da1 = hadamard(dh1, h1.map((v) => v * (1 - v)));
  return { a1, h1, a2, h2, L, gW1: outer(da1, x), gb1: da1, gW2: outer(da2, h1), gb2: da2 };
}

/** A general layered network as the sheet defines it; used for finite differences. */
function layeredLoss(network: LayeredNetwork): number {
  let h = network.input;
  for (const layer of network.layers) {
    let a = matVec(layer.W, h);
    if (layer.b) a = add(a, layer.b);
    h =
      layer.activation === 'identity'
        ? a
        : layer.activation === 'tanh'
          ? a.map(Math.tanh)
          : layer.activation === 'relu'
            ? relu(a)
            : layer.activation === 'sigmoid'
              ? sigmoid(a)
              : (() => {
                  const m = Math.max(...a);
                  const e = a.map((v) => Math.exp(v - m));
                  const s = e.reduce((p, q) => p + q, 0);
                  return e.map((v) => v / s);
                })();
  }
  const r = sub(network.target, h);
  if (network.loss === 'half-squared-error') return halfSquaredNorm(r);
  if (network.loss === 'squared-error') return 2 * halfSquaredNorm(r);
  return -network.target.reduce((s, t, i) => s + t * Math.log(h[i]!), 0);
}

/** Central finite differences of the loss for every W and b entry, keyed W1, b1, … */
function finiteDifferences(network: LayeredNetwork, eps = 1e-6): Record<string, Vec | Mat> {
  const grads: Record<string, Vec | Mat> = {};
  const clone = (): LayeredNetwork => structuredClone(network);
  network.layers.forEach((layer, k) => {
    grads[`W${k + 1}`] = layer.W.map((row, i) =>
      row.map((_, j) => {
        const plus = clone();
        plus.layers[k]!.W[i]![j]! += eps;
        const minus = clone();
        minus.layers[k]!.W[i]![j]! -= eps;
        return (layeredLoss(plus) - layeredLoss(minus)) / (2 * eps);
      }),
    );
    if (layer.b) {
      grads[`b${k + 1}`] = layer.b.map((_, i) => {
        const plus = clone();
        plus.layers[k]!.b![i]! += eps;
        const minus = clone();
        minus.layers[k]!.b![i]! -= eps;
        return (layeredLoss(plus) - layeredLoss(minus)) / (2 * eps);
      });
    }
  });
  return grads;
}

const USER_NETWORK = {
  title: 'a 3-2-1 tanh/identity network',
  input: [0.5, -1, 2],
  target: [0.3],
  layers: [
    { W: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], b: [0.1, -0.1], activation: 'tanh' },
    { W: [[0.7, -0.8]], b: [0.2], activation: 'identity' },
  ],
};

describe('Question 1: the stand-in network', () => {
  const network = standInQ1Network();
  const solution = question1();

  it('is a labelled 2-2-2 sigmoid network with biases and the assignment’s target', () => {
    expect(network.standIn).toMatch(/slides 73\/74/);
    expect(network.target).toEqual([0, 1]);
    expect(network.loss).toBe('half-squared-error');
    expect(network.input).toHaveLength(2);
    expect(network.layers.map((l) => [l.W.length, l.W[0]!.length, l.b?.length, l.activation])).toEqual([
      [2, 2, 2, 'sigmoid'],
      [2, 2, 2, 'sigmoid'],
    ]);
    expect(layeredProblem(network).equations).toEqual(['a1 = W1 x + b1', 'h1 = sigmoid(a1)', 'a2 = W2 h1 + b2', 'h2 = sigmoid(a2)', 'L = 1/2 ||ŷ - h2||^2']);
    expect(solution.points).toBe(POINTS.q1);
  });

  it('matches an independent sigmoid-network computation (values, loss, gradients of W1, b1, W2, b2)', () => {
    const [l1, l2] = network.layers as [LayeredNetwork['layers'][number], LayeredNetwork['layers'][number]];
    const ref = sigmoidNet(network.input, network.target, l1.W, l1.b!, l2.W, l2.b!);
    const result = solution.result!;
    expectClose(result.values.a1, ref.a1, 1e-12, 'a1');
    expectClose(result.values.h1, ref.h1, 1e-12, 'h1');
    expectClose(result.values.a2, ref.a2, 1e-12, 'a2');
    expectClose(result.values.h2, ref.h2, 1e-12, 'h2');
    expectClose(result.loss, ref.L, 1e-12, 'loss');
    expect(Object.keys(result.gradients).sort()).toEqual(['W1', 'W2', 'b1', 'b2']);
    expectClose(result.gradients.W1, ref.gW1, 1e-12, 'W1');
    expectClose(result.gradients.b1, ref.gb1, 1e-12, 'b1');
    expectClose(result.gradients.W2, ref.gW2, 1e-12, 'W2');
    expectClose(result.gradients.b2, ref.gb2, 1e-12, 'b2');
    // And against finite differences, as a check of the reference itself.
    const fd = finiteDifferences(network);
    expectClose(ref.gW1, fd.W1 as Mat, 1e-8, 'fd W1');
    expectClose(ref.gb2, fd.b2 as Vec, 1e-8, 'fd b2');
  });

  it('puts the stand-in notice first, and it reaches every output format', async () => {
    expect(solution.blocks[0]).toEqual({ kind: 'notice', text: `STAND-IN NETWORK — ${network.standIn}` });
    const sheet = solutionSheet(['q1']);
    const text = await renderSolution(sheet, 'text');
    const md = await renderSolution(sheet, 'md');
    const latex = await renderSolution(sheet, 'latex');
    const json = JSON.parse(await renderSolution(sheet, 'json')) as { notices?: string[] };
    expect(text).toContain('!! STAND-IN NETWORK — The slides 73/74 of the lecture are not available.');
    expect(md).toContain('> **Note.** STAND-IN NETWORK — The slides 73/74 of the lecture are not available.');
    expect(latex).toMatch(/\\fbox\{\\parbox\{[^}]*\}\{\\textbf\{Note\.\} STAND-IN NETWORK --- The slides 73\/74 of the lecture are not available\./);
    expect(json.notices).toEqual([`STAND-IN NETWORK — ${network.standIn}`]);
    // Also inside a whole sheet.
    const whole = JSON.parse(await renderSolution(solutionSheet(['q1', 'q2', 'q3']), 'json')) as { questions: Record<string, { notices?: string[] }> };
    expect(whole.questions.q1?.notices?.[0]).toMatch(/^STAND-IN NETWORK/);
    expect(whole.questions.q3?.notices).toBeUndefined();
  });

  it('states the layer convention and the target', () => {
    const text = inlineText((solution.blocks[1] as Extract<Block, { kind: 'paragraph' }>).content);
    expect(text).toContain('a⁽ᵏ⁾ = W⁽ᵏ⁾ h⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾');
    expect(text).toContain('ŷ = [0, 1]');
  });
});

describe('Question 1: a network the user supplies', () => {
  const network = parseLayeredNetwork(USER_NETWORK);
  const solution = question1({ network, source: 'slides-73-74.json' });

  it('has no stand-in notice anywhere', async () => {
    expect(network.standIn).toBeUndefined();
    expect(solution.blocks.filter((b) => b.kind === 'notice')).toEqual([]);
    expect(solution.blocks[0]).toEqual({ kind: 'paragraph', content: ['a 3-2-1 tanh/identity network, read from slides-73-74.json.'] });
    const sheet = solutionSheet(['q1'], { network, networkSource: 'slides-73-74.json' });
    for (const format of ['text', 'md', 'latex', 'json'] as const) {
      const out = await renderSolution(sheet, format);
      expect(out, format).not.toMatch(/STAND-IN/i);
      expect(out, format).toContain('slides-73-74.json');
    }
  });

  it('has the loss and gradients of central finite differences', () => {
    const result = solution.result!;
    expectClose(result.loss, layeredLoss(network), 1e-12, 'loss');
    const fd = finiteDifferences(network);
    expect(Object.keys(result.gradients).sort()).toEqual(Object.keys(fd).sort());
    for (const [name, value] of Object.entries(fd)) expectClose(result.gradients[name], value, 1e-7, name);
  });

  it('compiles identity layers to a copy and tanh layers to tanh', () => {
    expect(layeredProblem(network).equations).toEqual(['a1 = W1 x + b1', 'h1 = tanh(a1)', 'a2 = W2 h1 + b2', 'h2 = a2', 'L = 1/2 ||ŷ - h2||^2']);
  });

  it.each([
    ['squared-error', 'twice the half-squared loss'],
    ['cross-entropy', 'softmax output'],
  ])('handles the %s loss (%s)', (loss) => {
    const base =
      loss === 'cross-entropy'
        ? { input: [1, 2], target: [0, 1], layers: [{ W: [[0.1, 0.2], [0.3, 0.4]], b: [0.05, -0.05], activation: 'softmax' }], loss }
        : { ...USER_NETWORK, loss };
    const net = parseLayeredNetwork(base);
    const result = question1({ network: net }).result!;
    expectClose(result.loss, layeredLoss(net), 1e-12, 'loss');
    for (const [name, value] of Object.entries(finiteDifferences(net))) expectClose(result.gradients[name], value, 1e-7, name);
  });

  it('a network without biases has gradients for the weights only', () => {
    const net = parseLayeredNetwork({ input: [1, -1], target: [0.5], layers: [{ W: [[0.3, 0.6]], activation: 'sigmoid' }] });
    const result = question1({ network: net }).result!;
    expect(Object.keys(result.gradients)).toEqual(['W1']);
    expectClose(result.gradients.W1, finiteDifferences(net).W1 as Mat, 1e-8, 'W1');
  });

  // Regression test (was wrong: layered.ts, layeredProblem, the `squared-error` branch): the loss is written
  // `L = ||yhat - h||^2` while the other two losses use `ŷ`, so a squared-error network prints
  // its target as `yhat` (`L = ‖yhat − h1‖²`, `yhat = [0, 1] (target)`) instead of ŷ.
  it('names the target ŷ for the squared-error loss as for the others', async () => {
    const net = parseLayeredNetwork({ ...USER_NETWORK, loss: 'squared-error' });
    const text = await renderSolution({ title: 't', questions: [question1({ network: net })] }, 'text');
    expect(text).not.toContain('yhat');
  });
});

describe('parseLayeredNetwork', () => {
  const fault = (input: unknown): ChainruleError => {
    try {
      parseLayeredNetwork(input);
    } catch (error) {
      expect(error).toBeInstanceOf(ChainruleError);
      return error as ChainruleError;
    }
    throw new Error('expected parseLayeredNetwork to throw');
  };

  it('accepts the user network and fills in defaults', () => {
    const net = parseLayeredNetwork({ input: [1], target: [0], layers: [{ W: [[0.5]] }] });
    expect(net.layers[0]!.activation).toBe('sigmoid');
    expect(net.loss).toBe('half-squared-error');
  });

  it('points at the W row of the wrong length', () => {
    const bad = structuredClone(USER_NETWORK);
    bad.layers[1]!.W = [[0.7, -0.8, 1]];
    const error = fault(bad);
    expect(error.code).toBe('problem');
    expect(error.status).toBe(422);
    expect(error.location.path).toEqual(['layers', 1, 'W', 0]);
    expect(error.message).toMatch(/has 3 entries, but the layer's input has 2/);
    expect(error.describe()).toMatch(/^layers\[1\]\.W\[0\]: /);
    expect(formatJsonPath(error.location.path!)).toBe('layers[1].W[0]');
  });

  it('points at a wrong row of the first layer', () => {
    const bad = structuredClone(USER_NETWORK);
    bad.layers[0]!.W[1] = [0.4, 0.5];
    expect(fault(bad).location.path).toEqual(['layers', 0, 'W', 1]);
  });

  it('points at a bias of the wrong length, a target of the wrong length, a bad activation, an unknown key', () => {
    const badBias = structuredClone(USER_NETWORK);
    badBias.layers[0]!.b = [1];
    expect(fault(badBias).location.path).toEqual(['layers', 0, 'b']);
    expect(fault({ ...USER_NETWORK, target: [1, 2] }).location.path).toEqual(['target']);
    const badActivation = structuredClone(USER_NETWORK);
    badActivation.layers[0]!.activation = 'gelu';
    expect(fault(badActivation).location.path).toEqual(['layers', 0, 'activation']);
    expect(fault({ ...USER_NETWORK, layers: [] }).location.path).toEqual(['layers']);
    expect(fault({ ...USER_NETWORK, input: [1, 'a', 3] }).location.path).toEqual(['input', 1]);
    expect(fault({ ...USER_NETWORK, loss: 'hinge' }).location.path).toEqual(['loss']);
    const extra = fault({ ...USER_NETWORK, extra: 1 });
    expect(extra.message).toMatch(/extra/);
  });
});
