import { type Shape, ShapeError } from './errors.ts';
import { takeBuffer, takeZeroed } from './buffers.ts';
import { gemm } from './gemm.ts';
import { asColumnMatrix, broadcastShapes, matmulShape, sameShape } from './shape.ts';
import { Tensor, scalar } from './tensor.ts';

/** An operand of an element-wise op: a tensor or a plain number (a scalar). */
export type Operand = Tensor | number;

const asTensor = (x: Operand): Tensor => (typeof x === 'number' ? scalar(x) : x);

/** Row and column strides of `shape` inside a broadcast, in the column convention; 0 along an axis that stretches. */
function broadcastStrides(shape: Shape): [number, number] {
  const [rows, cols] = asColumnMatrix(shape);
  return [rows === 1 ? 0 : cols, cols === 1 ? 0 : 1];
}

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
type Code = typeof ADD | typeof SUB | typeof MUL | typeof DIV;
const NAMES = ['add', 'sub', 'mul', 'div'] as const;

/** The arithmetic op `code` on two numbers; the loops below inline it by hand, this is the broadcasting path. */
function apply2(code: Code, p: number, q: number): number {
  return code === ADD ? p + q : code === SUB ? p - q : code === MUL ? p * q : p / q;
}

/**
 * An element-wise arithmetic op. Equal shapes and a scalar against anything (the common cases in a
 * graph) get a loop of their own per op, with no call per entry; other broadcasts take strides.
 * The loops are written out per op on purpose: one shared loop calling the arithmetic as a function
 * sees several functions, V8 stops inlining the call, and add/mul/sub/div of 4,096 entries took 3.5×
 * as long (measured; bench/elementwise.bench.ts compares every kernel with a hand-written loop).
 */
function elementwise(code: Code, x: Operand, y: Operand): Tensor {
  const a = asTensor(x);
  const b = asTensor(y);
  const ad = a.data;
  const bd = b.data;
  if (sameShape(a.shape, b.shape)) {
    const out = takeBuffer(ad.length);
    if (code === ADD) for (let i = 0; i < out.length; i++) out[i] = ad[i]! + bd[i]!;
    else if (code === SUB) for (let i = 0; i < out.length; i++) out[i] = ad[i]! - bd[i]!;
    else if (code === MUL) for (let i = 0; i < out.length; i++) out[i] = ad[i]! * bd[i]!;
    else for (let i = 0; i < out.length; i++) out[i] = ad[i]! / bd[i]!;
    return new Tensor(out, a.shape);
  }
  if (a.shape.length === 0 || b.shape.length === 0) {
    const out = takeBuffer(a.shape.length === 0 ? bd.length : ad.length);
    if (a.shape.length === 0) {
      const p = ad[0]!;
      if (code === ADD) for (let i = 0; i < out.length; i++) out[i] = p + bd[i]!;
      else if (code === SUB) for (let i = 0; i < out.length; i++) out[i] = p - bd[i]!;
      else if (code === MUL) for (let i = 0; i < out.length; i++) out[i] = p * bd[i]!;
      else for (let i = 0; i < out.length; i++) out[i] = p / bd[i]!;
      return new Tensor(out, b.shape);
    }
    const q = bd[0]!;
    if (code === ADD) for (let i = 0; i < out.length; i++) out[i] = ad[i]! + q;
    else if (code === SUB) for (let i = 0; i < out.length; i++) out[i] = ad[i]! - q;
    else if (code === MUL) for (let i = 0; i < out.length; i++) out[i] = ad[i]! * q;
    else for (let i = 0; i < out.length; i++) out[i] = ad[i]! / q;
    return new Tensor(out, a.shape);
  }
  const shape = broadcastShapes(NAMES[code], a.shape, b.shape);
  const [rows, cols] = asColumnMatrix(shape);
  const [aRow, aCol] = broadcastStrides(a.shape);
  const [bRow, bCol] = broadcastStrides(b.shape);
  const out = takeBuffer(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = apply2(code, ad[i * aRow + j * aCol]!, bd[i * bRow + j * bCol]!);
  }
  return new Tensor(out, shape);
}

/**
 * Applies `f` to every element. (The kernels below have a loop of their own each: this one's call
 * of `f` is not inlined once it has seen several functions.)
 *
 * @example
 * map(tensor([1, -2]), Math.abs); // [1, 2]
 */
export function map(t: Tensor, f: (v: number) => number): Tensor {
  const out = takeBuffer(t.size);
  const d = t.data;
  for (let i = 0; i < out.length; i++) out[i] = f(d[i]!);
  return new Tensor(out, t.shape);
}

/**
 * Element-wise `a + b` with broadcasting; a vector next to a matrix is a column.
 *
 * @example
 * add(tensor([1, 2]), 1);                              // [2, 3]
 * add(tensor([[10, 20], [30, 40]]), tensor([1, 2]));  // [[11, 21], [32, 42]]
 */
export const add = (a: Operand, b: Operand): Tensor => elementwise(ADD, a, b);
/** Element-wise `a − b` with broadcasting. @example sub(tensor([1, 2]), tensor([1, 1])) // [0, 1] */
export const sub = (a: Operand, b: Operand): Tensor => elementwise(SUB, a, b);
/** Element-wise (Hadamard) product with broadcasting. @example mul(tensor([1, 2]), tensor([3, 4])) // [3, 8] */
export const mul = (a: Operand, b: Operand): Tensor => elementwise(MUL, a, b);
/** Element-wise quotient with broadcasting. @example div(tensor([1, 2]), 2) // [0.5, 1] */
export const div = (a: Operand, b: Operand): Tensor => elementwise(DIV, a, b);
/** Multiplies every element by `factor`. @example scale(tensor([1, 2]), 0.5) // [0.5, 1] */
export const scale = (t: Tensor, factor: number): Tensor => elementwise(MUL, t, factor);
/** @example neg(tensor([1, -2])) // [-1, 2] */
export function neg(t: Tensor): Tensor {
  const d = t.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = -d[i]!;
  return new Tensor(out, t.shape);
}
/** @example exp(tensor([0])) // [1] */
export function exp(t: Tensor): Tensor {
  const d = t.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(d[i]!);
  return new Tensor(out, t.shape);
}
/** Natural logarithm. @example log(tensor([1])) // [0] */
export function log(t: Tensor): Tensor {
  const d = t.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.log(d[i]!);
  return new Tensor(out, t.shape);
}
/** max(0, v). @example relu(tensor([-1, 2])) // [0, 2] */
export function relu(t: Tensor): Tensor {
  const d = t.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = d[i]! > 0 ? d[i]! : 0;
  return new Tensor(out, t.shape);
}
/** 1 / (1 + e^−v). @example sigmoid(tensor([0])) // [0.5] */
export function sigmoid(t: Tensor): Tensor {
  const d = t.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = sigmoidOf(d[i]!);
  return new Tensor(out, t.shape);
}
/** @example tanh(tensor([0])) // [0] */
export function tanh(t: Tensor): Tensor {
  const d = t.data;
  const out = takeBuffer(d.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.tanh(d[i]!);
  return new Tensor(out, t.shape);
}

function sigmoidOf(v: number): number {
  // Split by sign so that e^−v never overflows.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * Softmax along the last axis (over a vector, or over each row of a matrix), shifted by the
 * maximum so that large inputs do not overflow.
 *
 * @example
 * softmax(tensor([0, 0])); // [0.5, 0.5]
 */
export function softmax(t: Tensor): Tensor {
  if (t.rank === 0) return scalar(1);
  const cols = t.shape[t.rank - 1]!;
  const rows = t.size / Math.max(cols, 1);
  const out = takeBuffer(t.size);
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, t.data[i * cols + j]!);
    let total = 0;
    for (let j = 0; j < cols; j++) total += out[i * cols + j] = Math.exp(t.data[i * cols + j]! - max);
    for (let j = 0; j < cols; j++) out[i * cols + j]! /= total;
  }
  return new Tensor(out, t.shape);
}

/** The sum of all elements, as a scalar tensor. @example sum(tensor([[1, 2], [3, 4]])).item() // 10 */
export function sum(t: Tensor): Tensor {
  let total = 0;
  for (let i = 0; i < t.size; i++) total += t.data[i]!;
  return scalar(total);
}

/** ‖t‖², the sum of squares, as a scalar tensor. @example squaredNorm(tensor([3, 4])).item() // 25 */
export function squaredNorm(t: Tensor): Tensor {
  let total = 0;
  for (let i = 0; i < t.size; i++) total += t.data[i]! * t.data[i]!;
  return scalar(total);
}

/**
 * The largest |entry|, or NaN when an entry is NaN or infinite: one pass that says both how large
 * and whether finite (0 for an empty tensor).
 *
 * @example
 * maxAbs(tensor([1, -3])); // 3
 * maxAbs(tensor([1, Infinity])); // NaN
 */
export function maxAbs(t: Tensor): number {
  const d = t.data;
  let max = 0;
  // v · 0 is 0 for a finite v and NaN otherwise.
  let probe = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    const size = v < 0 ? -v : v;
    if (size > max) max = size;
    probe += v * 0;
  }
  return probe === 0 ? max : NaN;
}

/**
 * Sums `t` down to `shape`, undoing a broadcast (in the column convention, so a vector `[m]` is
 * the m×1 column of an m×n matrix): the gradient of a broadcast operand is the incoming gradient
 * summed over the axes it was stretched along.
 *
 * @example
 * sumToShape(tensor([[1, 2], [3, 4]]), [2]);    // [3, 7]: the row sums, a column
 * sumToShape(tensor([[1, 2], [3, 4]]), [1, 2]); // [[4, 6]]: the column sums, a row
 */
export function sumToShape(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const target = broadcastShapes('sumToShape', t.shape, shape);
  if (!sameShape(asColumnMatrix(target), asColumnMatrix(t.shape))) {
    throw new ShapeError('sumToShape', [t.shape, shape], 'the target does not broadcast to the source');
  }
  const size = shape.reduce((p, e) => p * e, 1);
  const out = takeZeroed(size);
  const [rows, cols] = asColumnMatrix(t.shape);
  const [row, col] = broadcastStrides(shape);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * row + j * col]! += t.data[i * cols + j]!;
  }
  return new Tensor(out, shape);
}

/**
 * `t` broadcast up to `shape` (in the column convention): the inverse of {@link sumToShape}'s
 * shapes, e.g. the gradient of a sum spread over every element.
 *
 * @example
 * broadcastTo(tensor([1, 2]), [2, 3]); // [[1, 1, 1], [2, 2, 2]]
 * broadcastTo(scalar(5), [2]);         // [5, 5]
 */
export function broadcastTo(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const target = broadcastShapes('broadcastTo', t.shape, shape);
  if (!sameShape(asColumnMatrix(target), asColumnMatrix(shape))) {
    throw new ShapeError('broadcastTo', [t.shape, shape], 'the source does not broadcast to the target');
  }
  const [rows, cols] = asColumnMatrix(shape);
  const [row, col] = broadcastStrides(t.shape);
  const out = takeBuffer(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = t.data[i * row + j * col]!;
  }
  return new Tensor(out, shape);
}

/**
 * The matrix product in the column convention (see {@link matmulShape}): `[m×k]·[k×n] → [m×n]`,
 * `W x` with a vector `x` of shape `[k]` gives `[m]`, a vector times a 1×n row gives the outer
 * product. A vector left of a matrix (`x W`) is a ShapeError that names the fix (`Wᵀ x`).
 *
 * @example
 * matmul(tensor([[1, 2], [3, 4]]), tensor([1, 1]));  // [3, 7]
 * matmul(tensor([1, 2]), transpose(tensor([3, 4]))); // [[3, 4], [6, 8]]
 * matmul(w, x, { a: true });                          // wᵀ x, without copying wᵀ (bit for bit the same)
 */
export function matmul(a: Tensor, b: Tensor, transposed: { readonly a?: boolean; readonly b?: boolean } = {}): Tensor {
  // A transposed vector or scalar is the same data in another shape; only a matrix is read transposed.
  const transA = transposed.a === true && a.shape.length === 2;
  const transB = transposed.b === true && b.shape.length === 2;
  const { m, n, k, shape } = matmulShape(transposed.a ? transposedShape(a.shape) : a.shape, transposed.b ? transposedShape(b.shape) : b.shape);
  const out = takeBuffer(m * n);
  gemm(m, n, k, a.data, b.data, out, transA, transB);
  // An operand's shape (frozen) where the result has it: the tensor then keeps it without a copy.
  return new Tensor(out, sameShape(shape, a.shape) ? a.shape : sameShape(shape, b.shape) ? b.shape : shape);
}

/** The shape of the transpose: [r×c] → [c×r], a vector [n] → the row [1×n], a scalar stays. */
function transposedShape(shape: Shape): Shape {
  return shape.length === 2 ? [shape[1]!, shape[0]!] : shape.length === 1 ? [1, shape[0]!] : shape;
}

/**
 * The transpose: a matrix's rows become columns, a (column) vector `[n]` becomes the 1×n row,
 * a scalar stays as it is.
 *
 * @example
 * transpose(tensor([[1, 2]])).shape; // [2, 1]
 * transpose(tensor([1, 2])).shape;   // [1, 2]
 */
export function transpose(t: Tensor): Tensor {
  if (t.rank === 0) return t;
  if (t.rank === 1) return t.reshape([1, t.size]);
  const [rows, cols] = t.shape as [number, number];
  const out = takeBuffer(t.size);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[j * rows + i] = t.data[i * cols + j]!;
  }
  return new Tensor(out, [cols, rows]);
}

/** The outer product u vᵀ of two vectors. @example outer(tensor([1, 2]), tensor([3, 4])) // [[3, 4], [6, 8]] */
export function outer(u: Tensor, v: Tensor): Tensor {
  if (u.rank !== 1 || v.rank !== 1) throw new ShapeError('outer', [u.shape, v.shape], 'needs two vectors');
  const m = u.size;
  const n = v.size;
  const out = takeBuffer(m * n);
  for (let i = 0; i < m; i++) {
    const ui = u.data[i]!;
    for (let j = 0; j < n; j++) out[i * n + j] = ui * v.data[j]!;
  }
  return new Tensor(out, [m, n]);
}

/** Options of {@link allClose}. */
export interface Tolerance {
  /** Relative tolerance (default 1e-9). */
  rtol?: number;
  /** Absolute tolerance (default 1e-12). */
  atol?: number;
}

/**
 * True when both tensors have the same shape and every pair of elements satisfies
 * `|a − b| ≤ atol + rtol·|b|`.
 *
 * @example
 * allClose(tensor([1, 2]), tensor([1, 2 + 1e-12])); // true
 */
export function allClose(a: Tensor, b: Tensor, { rtol = 1e-9, atol = 1e-12 }: Tolerance = {}): boolean {
  if (!sameShape(a.shape, b.shape)) return false;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y)) && x !== y) return false;
  }
  return true;
}

/** The largest |a − b| / max(|a|, |b|, floor) over all elements; throws a ShapeError for different shapes. @example maxRelativeError(tensor([1]), tensor([1.1])) */
export function maxRelativeError(a: Tensor, b: Tensor, floor = 1e-12): number {
  if (!sameShape(a.shape, b.shape)) throw new ShapeError('maxRelativeError', [a.shape, b.shape]);
  let worst = 0;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), floor));
  }
  return worst;
}
