/**
 * Tensors of rationals (exact answer keys): the shapes, broadcasting and column convention of
 * {@link Tensor}, entry by entry over {@link Rational}.
 */
import { type Shape, ShapeError } from './errors.ts';
import { broadcastTo } from './ops.ts';
import { Rational } from './rational.ts';
import { broadcastShapes, matmulShape, sameShape } from './shape.ts';
import { Tensor } from './tensor.ts';

/**
 * A tensor of rationals: the shape and row-major order of {@link Tensor}.
 *
 * @example
 * const t = exactTensor(tensor([0.1, 0.2])); // [1/10, 1/5]
 */
export interface ExactTensor {
  readonly shape: Shape;
  readonly data: readonly Rational[];
}

/** The exact values of a tensor's entries as written (undefined if one is not finite). @example exactTensor(tensor([0.1])) */
export function exactTensor(t: Tensor): ExactTensor | undefined {
  const data: Rational[] = [];
  for (const v of t.data) {
    const r = Rational.fromNumber(v);
    if (!r) return undefined;
    data.push(r);
  }
  return { shape: t.shape, data };
}

/** The nearest doubles of an exact tensor. @example exactToTensor(exactTensor(tensor([0.1]))!).data[0] // 0.1 */
export function exactToTensor(t: ExactTensor): Tensor {
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < data.length; i++) data[i] = t.data[i]!.toNumber();
  return new Tensor(data, t.shape);
}

/** For each entry of `shape`, the index of the entry of `from` it reads when `from` is broadcast to `shape` (the tensor core's own rule). */
function gatherIndices(from: Shape, shape: Shape): Float64Array {
  const size = from.reduce((p, e) => p * e, 1);
  const index = new Tensor(Float64Array.from({ length: size }, (_, i) => i), from);
  return broadcastTo(index, shape).data;
}

/** An element-wise binary op with the tensor core's broadcasting. @example exactZip('add', a, b, (p, q) => p.add(q)) */
export function exactZip(op: string, a: ExactTensor, b: ExactTensor, f: (p: Rational, q: Rational) => Rational): ExactTensor {
  if (sameShape(a.shape, b.shape)) return { shape: a.shape, data: a.data.map((p, i) => f(p, b.data[i]!)) };
  const shape = broadcastShapes(op, a.shape, b.shape);
  const ai = gatherIndices(a.shape, shape);
  const bi = gatherIndices(b.shape, shape);
  return { shape, data: Array.from(ai, (i, n) => f(a.data[i]!, b.data[bi[n]!]!)) };
}

/** An element-wise unary op; undefined when `f` is (a reciprocal of 0). @example exactMap(t, (r) => r.neg()) */
export function exactMap(t: ExactTensor, f: (r: Rational) => Rational | undefined): ExactTensor | undefined {
  const data: Rational[] = [];
  for (const r of t.data) {
    const v = f(r);
    if (!v) return undefined;
    data.push(v);
  }
  return { shape: t.shape, data };
}

/** The matrix product with the shape rule of `matmul` (column convention). @example exactMatmul(W, x) */
export function exactMatmul(a: ExactTensor, b: ExactTensor): ExactTensor {
  const { m, n, k, shape } = matmulShape(a.shape, b.shape);
  const data: Rational[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data.push(Rational.dot(a.data, i * k, 1, b.data, j, n, k));
  return { shape, data };
}

/** The transpose, as `transpose` moves entries. @example exactTranspose(W) */
export function exactTranspose(t: ExactTensor): ExactTensor {
  if (t.shape.length === 0) return t;
  // A column vector becomes a row: the same entries in the same order.
  if (t.shape.length === 1) return { shape: Object.freeze([1, t.shape[0]!]), data: t.data };
  const [rows, cols] = t.shape as [number, number];
  const data = new Array<Rational>(t.data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[j * rows + i] = t.data[i * cols + j]!;
  return { shape: Object.freeze([cols, rows]), data };
}

/** The sum of the entries (a scalar). @example exactSum(t) */
export function exactSum(t: ExactTensor): ExactTensor {
  return { shape: [], data: [t.data.reduce((s, r) => s.add(r), Rational.ZERO)] };
}

/** `t` broadcast to `shape`, as `broadcastTo`. @example exactBroadcastTo(b, [2, 3]) */
export function exactBroadcastTo(t: ExactTensor, shape: Shape): ExactTensor {
  if (sameShape(t.shape, shape)) return t;
  return { shape, data: Array.from(gatherIndices(t.shape, shape), (i) => t.data[i]!) };
}

/** `t` summed down to `shape`, as `sumToShape` (undoing a broadcast). @example exactSumToShape(g, [2]) */
export function exactSumToShape(t: ExactTensor, shape: Shape): ExactTensor {
  if (sameShape(t.shape, shape)) return t;
  const size = shape.reduce((p, e) => p * e, 1);
  // Which entry of the target each entry of the source was broadcast from.
  const target = gatherIndices(shape, t.shape);
  if (target.length !== t.data.length) throw new ShapeError('sumToShape', [t.shape, shape], 'the target does not broadcast to the source');
  const data: Rational[] = Array.from({ length: size }, () => Rational.ZERO);
  t.data.forEach((r, i) => {
    data[target[i]!] = data[target[i]!]!.add(r);
  });
  return { shape, data };
}
