import { Tensor, bufferStats, tensor } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { buildGraph } from './build.ts';
import { evaluate } from './evaluate.ts';
import { gradientGraph } from './gradient.ts';

const WIDTH = 16;
const LAYERS = 4;
const matrixOf = (seed: number, rows: number, cols: number) =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed * 7.1 + i * 1.3 + j * 0.7) / 2));
const vectorOf = (seed: number) => Array.from({ length: WIDTH }, (_, i) => Math.cos(seed + i));

/** h_k = tanh(W_k h_{k−1}), L = ½‖h_n − ŷ‖², forward and backward in plain loops. */
function byLoops(W: number[][][], x: number[], yhat: number[]): { L: number; dW: number[][][] } {
  const hs = [x];
  for (const w of W) hs.push(w.map((row) => Math.tanh(row.reduce((s, v, j) => s + v * hs[hs.length - 1]![j]!, 0))));
  const top = hs[hs.length - 1]!;
  const L = top.reduce((s, v, i) => s + (v - yhat[i]!) ** 2, 0) / 2;
  let dh = top.map((v, i) => v - yhat[i]!);
  const dW: number[][][] = [];
  for (let k = W.length - 1; k >= 0; k--) {
    const h = hs[k + 1]!;
    const delta = dh.map((g, i) => g * (1 - h[i]! * h[i]!));
    dW.unshift(delta.map((d) => hs[k]!.map((v) => d * v)));
    dh = hs[k]!.map((_, j) => delta.reduce((s, d, i) => s + W[k]![i]![j]! * d, 0));
  }
  return { L, dW };
}

describe('evaluate: arrays of dead intermediates are recycled', () => {
  const equations = ['h1 = tanh(W1 x)', ...Array.from({ length: LAYERS - 1 }, (_, k) => `h${k + 2} = tanh(W${k + 2} h${k + 1})`), `L = 1/2 ||h${LAYERS} - yhat||^2`];
  const wrt = Array.from({ length: LAYERS }, (_, k) => `W${k + 1}`);
  const graph = gradientGraph(buildGraph(equations, { wrt }), wrt);
  const valuesOf = (seed: number) => {
    const W = wrt.map((_, k) => matrixOf(seed + k, WIDTH, WIDTH));
    return { W, x: vectorOf(seed), yhat: vectorOf(seed + 5) };
  };
  const leavesOf = ({ W, x, yhat }: ReturnType<typeof valuesOf>): Record<string, Tensor> => ({
    ...Object.fromEntries(wrt.map((name, k) => [name, tensor(W[k]!)])),
    x: tensor(x),
    yhat: tensor(yhat),
  });

  it('leaves every result and every given value as it was while later evaluations reuse the arrays', () => {
    const first = valuesOf(1);
    const firstLeaves = leavesOf(first);
    const results = evaluate(graph, firstLeaves);
    const kept = new Map([...results].map(([id, t]) => [id, Array.from(t.data)]));
    const given = new Map(Object.entries(firstLeaves).map(([id, t]) => [id, Array.from(t.data)]));
    const reusedBefore = bufferStats().reusedBytes;
    for (let seed = 2; seed < 6; seed++) {
      const other = valuesOf(seed);
      const values = evaluate(graph, leavesOf(other));
      const expected = byLoops(other.W, other.x, other.yhat);
      expect(values.get('L')!.item()).toBeCloseTo(expected.L, 13);
      wrt.forEach((name, k) => expect(values.get(`dL/d${name}`)!.toArray()).toEqual(expected.dW[k]!.map((row) => row.map((v) => expect.closeTo(v, 13)))));
    }
    expect(bufferStats().reusedBytes).toBeGreaterThan(reusedBefore);
    for (const [id, data] of kept) expect(Array.from(results.get(id)!.data), id).toEqual(data);
    for (const [id, data] of given) expect(Array.from(firstLeaves[id]!.data), id).toEqual(data);
    const expected = byLoops(first.W, first.x, first.yhat);
    wrt.forEach((name, k) => expect(results.get(`dL/d${name}`)!.toArray()).toEqual(expected.dW[k]!.map((row) => row.map((v) => expect.closeTo(v, 13)))));
  });

  it('an unbroadcast that returns its operand (a node value, a given leaf) keeps the array out of the pool', () => {
    // dL/dA = unbroadcast(expand(1, A ⊙ B) ⊙ B, A): the unbroadcast returns the product itself, which
    // is dead as a slot but alive as the node's value; dL/dB's product (of the same length) comes after.
    const products = gradientGraph(buildGraph(['L = sum(A * B)'], { wrt: ['A', 'B'] }), ['A', 'B']);
    const A = matrixOf(1, 3, 4);
    const B = matrixOf(2, 3, 4);
    const given = { A: tensor(A), B: tensor(B) };
    const first = evaluate(products, given);
    for (let i = 0; i < 3; i++) evaluate(products, { A: tensor(matrixOf(i + 3, 3, 4)), B: tensor(matrixOf(i + 4, 3, 4)) });
    expect(first.get('dL/dA')!.toArray()).toEqual(B);
    expect(first.get('dL/dB')!.toArray()).toEqual(A);
    expect(first.get('L')!.item()).toBeCloseTo(A.flat().reduce((s, v, i) => s + v * B.flat()[i]!, 0), 14);
    expect(given.A.toArray()).toEqual(A);
    expect(given.B.toArray()).toEqual(B);
  });
});
