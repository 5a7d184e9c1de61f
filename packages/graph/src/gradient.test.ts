import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { type Tensor, fromFlat, maxRelativeError, tensor } from '@chainrule/tensor';
import { seededRandom as rng } from '@chainrule/bench';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from './build.ts';
import { evaluate } from './evaluate.ts';
import { gradientGraph } from './gradient.ts';
import { gradientId } from './graph.ts';

type Activation = 'relu' | 'sigmoid' | 'tanh';

/** A random network of the assignment's kind: a layered chain, a parallel branch added at the output, biases. */
interface NetworkSpec {
  equations: string[];
  values: Record<string, number[] | number[][]>;
  wrt: string[];
  /** The same network as a tfjs computation, written independently of the equations. */
  tfLoss: (params: Record<string, tf.Tensor>) => tf.Scalar;
}


function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function randomNetwork(seed: number): NetworkSpec {
  const random = rng(seed);
  const size = () => 1 + Math.floor(random() * 4);
  const matrix = (rows: number, cols: number) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round((random() * 2 - 1) * 100) / 100));
  const vector = (n: number) => Array.from({ length: n }, () => Math.round((random() * 4 - 2) * 100) / 100);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const activations: Activation[] = ['relu', 'sigmoid', 'tanh'];

  const depth = 1 + Math.floor(random() * 3);
  const widths = [size(), ...Array.from({ length: depth }, size)];
  const outputWidth = widths[depth]!;
  const equations: string[] = [];
  const values: NetworkSpec['values'] = { x: vector(widths[0]!), yhat: vector(outputWidth) };
  const wrt: string[] = [];
  const layers: { w: string; b?: string; act: Activation }[] = [];
  for (let k = 1; k <= depth; k++) {
    const act = pick(activations);
    const withBias = random() < 0.6;
    const input = k === 1 ? 'x' : `h${k - 1}`;
    equations.push(`a${k} = W${k} ${input}${withBias ? ` + b${k}` : ''}`, `h${k} = ${act}(a${k})`);
    values[`W${k}`] = matrix(widths[k]!, widths[k - 1]!);
    wrt.push(`W${k}`);
    if (withBias) {
      values[`b${k}`] = vector(widths[k]!);
      wrt.push(`b${k}`);
    }
    layers.push({ w: `W${k}`, ...(withBias ? { b: `b${k}` } : {}), act });
  }
  const branchAct = pick(activations);
  equations.push(`v = V x`, `g = ${branchAct}(v)`, `y = h${depth} + g`, `L = 1/2 ||y - yhat||^2`);
  values.V = matrix(outputWidth, widths[0]!);
  wrt.push('V');

  const apply = (act: Activation, t: tf.Tensor) => (act === 'relu' ? tf.relu(t) : act === 'sigmoid' ? tf.sigmoid(t) : tf.tanh(t));
  const column = (v: number[]) => tf.tensor2d(v, [v.length, 1]);
  const tfLoss = (params: Record<string, tf.Tensor>) => {
    const x = column(values.x as number[]);
    let h: tf.Tensor = x;
    for (const layer of layers) {
      let a = tf.matMul(params[layer.w] as tf.Tensor2D, h as tf.Tensor2D);
      if (layer.b) a = tf.add(a, tf.reshape(params[layer.b]!, [-1, 1]));
      h = apply(layer.act, a);
    }
    const y = tf.add(h, apply(branchAct, tf.matMul(params.V as tf.Tensor2D, x)));
    return tf.mul(0.5, tf.sum(tf.square(tf.sub(y, column(values.yhat as number[]))))) as tf.Scalar;
  };
  return { equations: shuffle(equations, random), values, wrt, tfLoss };
}

function lossOf(spec: NetworkSpec, values: NetworkSpec['values']): number {
  return evaluate(buildGraph(spec.equations, { wrt: spec.wrt }), values).get('L')!.item();
}

/** Central differences with one Richardson step (error O(h⁴)) over every element of one parameter. */
function finiteDifference(spec: NetworkSpec, name: string, h = 1e-4): Tensor {
  const base = tensor(spec.values[name]!);
  const out = new Float64Array(base.size);
  for (let i = 0; i < base.size; i++) {
    const shifted = (delta: number) => {
      const t = base.clone();
      t.data[i]! += delta;
      return lossOf(spec, { ...spec.values, [name]: t.toArray() as number[] });
    };
    const central = (step: number) => (shifted(step) - shifted(-step)) / (2 * step);
    out[i] = (4 * central(h / 2) - central(h)) / 3;
  }
  return fromFlat(out, base.shape);
}

const SEEDS = Array.from({ length: 25 }, (_, i) => 1000 + i * 7919);

describe('gradients of random networks of the assignment kind', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(SEEDS)('agree with finite differences (float64, 1e-6) and with tfjs (float32) — seed %i', (seed) => {
    const spec = randomNetwork(seed);
    const graph = buildGraph(spec.equations, { wrt: spec.wrt });
    const withGradients = gradientGraph(graph, spec.wrt);
    const values = evaluate(withGradients, spec.values);

    const tfParams = Object.fromEntries(
      spec.wrt.map((name) => {
        const v = spec.values[name]!;
        return [name, Array.isArray(v[0]) ? tf.tensor2d(v as number[][]) : tf.tensor1d(v as number[])];
      }),
    );
    const names = Object.keys(tfParams);
    const tfGradients = tf.grads((...params: tf.Tensor[]) => spec.tfLoss(Object.fromEntries(names.map((n, i) => [n, params[i]!]))))(
      names.map((n) => tfParams[n]!),
    );

    expect(values.get('L')!.item()).toBeCloseTo(spec.tfLoss(tfParams).dataSync()[0]!, 4);
    names.forEach((name, i) => {
      const ours = values.get(gradientId('L', name))!;
      const numeric = finiteDifference(spec, name);
      expect(maxRelativeError(ours, numeric, 1e-4), `${name} vs finite differences`).toBeLessThan(1e-6);
      const reference = tensor(Array.from(tfGradients[i]!.dataSync()) as number[]).reshape(ours.shape);
      expect(maxRelativeError(ours, reference, 1e-2), `${name} vs tfjs`).toBeLessThan(1e-4);
    });
  });

  it('differentiates a gradient again (second derivative of a scalar network)', () => {
    // L = sigmoid(w x) · a single weight; d²L/dw² = x² σ''(w x).
    const graph = buildGraph(['z = w x', 'L = sum(sigmoid(z))'], { wrt: ['w'] });
    const first = gradientGraph(graph, ['w']);
    const second = gradientGraph(first, ['w'], { of: gradientId('L', 'w') });
    const [w, x] = [0.7, -1.3];
    const values = evaluate(second, { w: [[w]], x: [x] });
    const s = 1 / (1 + Math.exp(-w * x));
    const expected = x * x * s * (1 - s) * (1 - 2 * s);
    expect(values.get(gradientId('dL/dw', 'w'))!.data[0]).toBeCloseTo(expected, 12);
  });
});
