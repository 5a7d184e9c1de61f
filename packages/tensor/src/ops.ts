import { type Shape, ShapeError } from './errors.ts';
import { gemm } from './gemm.ts';
import { Tensor, scalar } from './tensor.ts';

/** An operand of an element-wise op: a tensor or a plain number (a scalar). */
export type Operand = Tensor | number;

const asTensor = (x: Operand): Tensor => (typeof x === 'number' ? scalar(x) : x);

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((e, i) => e === b[i]);
}

/**
 * The shape two operands broadcast to, NumPy style: trailing axes align, an axis of extent 1 (or a
 * missing one) stretches. This covers a scalar with anything and a bias `[n]` or `[m, 1]` added to a
 * batch `[m, n]`.
 *
 * @example
 * broadcastShapes('add', [3, 4], [4]); // [3, 4]
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const ea = a[a.length - rank + axis] ?? 1;
    const eb = b[b.length - rank + axis] ?? 1;
    if (ea !== eb && ea !== 1 && eb !== 1) throw new ShapeError(op, [a, b]);
    out.push(ea === 1 ? eb : ea);
  }
  return out;
}

/** A rank ≤ 2 shape seen as [rows, cols]: a scalar is 1×1 and a vector is one row. */
function asMatrixShape(shape: Shape): [number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  return [1, shape[0] ?? 1];
}

/** Row and column strides of `shape` inside a broadcast; 0 along an axis that stretches. */
function broadcastStrides(shape: Shape): [number, number] {
  const [rows, cols] = asMatrixShape(shape);
  return [rows === 1 ? 0 : cols, cols === 1 ? 0 : 1];
}

function zipWith(op: string, x: Operand, y: Operand, f: (a: number, b: number) => number): Tensor {
  const a = asTensor(x);
  const b = asTensor(y);
  if (sameShape(a.shape, b.shape)) {
    const out = new Float64Array(a.size);
    const ad = a.data;
    const bd = b.data;
    for (let i = 0; i < out.length; i++) out[i] = f(ad[i]!, bd[i]!);
    return new Tensor(out, a.shape);
  }
  const shape = broadcastShapes(op, a.shape, b.shape);
  const [rows, cols] = asMatrixShape(shape);
  const [aRow, aCol] = broadcastStrides(a.shape);
  const [bRow, bCol] = broadcastStrides(b.shape);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = f(a.data[i * aRow + j * aCol]!, b.data[i * bRow + j * bCol]!);
  }
  return new Tensor(out, shape);
}

function map(t: Tensor, f: (v: number) => number): Tensor {
  const out = new Float64Array(t.size);
  const d = t.data;
  for (let i = 0; i < out.length; i++) out[i] = f(d[i]!);
  return new Tensor(out, t.shape);
}

/** Element-wise `a + b` with broadcasting. @example add(tensor([1, 2]), 1) // [2, 3] */
export const add = (a: Operand, b: Operand): Tensor => zipWith('add', a, b, (p, q) => p + q);
/** Element-wise `a − b` with broadcasting. @example sub(tensor([1, 2]), tensor([1, 1])) // [0, 1] */
export const sub = (a: Operand, b: Operand): Tensor => zipWith('sub', a, b, (p, q) => p - q);
/** Element-wise (Hadamard) product with broadcasting. @example mul(tensor([1, 2]), tensor([3, 4])) // [3, 8] */
export const mul = (a: Operand, b: Operand): Tensor => zipWith('mul', a, b, (p, q) => p * q);
/** Element-wise quotient with broadcasting. @example div(tensor([1, 2]), 2) // [0.5, 1] */
export const div = (a: Operand, b: Operand): Tensor => zipWith('div', a, b, (p, q) => p / q);
/** Multiplies every element by `factor`. @example scale(tensor([1, 2]), 0.5) // [0.5, 1] */
export const scale = (t: Tensor, factor: number): Tensor => map(t, (v) => v * factor);
/** @example neg(tensor([1, -2])) // [-1, 2] */
export const neg = (t: Tensor): Tensor => map(t, (v) => -v);
/** @example exp(tensor([0])) // [1] */
export const exp = (t: Tensor): Tensor => map(t, Math.exp);
/** Natural logarithm. @example log(tensor([1])) // [0] */
export const log = (t: Tensor): Tensor => map(t, Math.log);
/** max(0, v). @example relu(tensor([-1, 2])) // [0, 2] */
export const relu = (t: Tensor): Tensor => map(t, (v) => (v > 0 ? v : 0));
/** The derivative of relu: 1 where v > 0, else 0 (the subgradient at 0 is taken as 0). @example reluStep(tensor([-1, 2])) // [0, 1] */
export const reluStep = (t: Tensor): Tensor => map(t, (v) => (v > 0 ? 1 : 0));
/** 1 / (1 + e^−v). @example sigmoid(tensor([0])) // [0.5] */
export const sigmoid = (t: Tensor): Tensor => map(t, sigmoidOf);
/** σ'(v) = σ(v)(1 − σ(v)), evaluated at the pre-activation v. @example sigmoidDerivative(tensor([0])) // [0.25] */
export const sigmoidDerivative = (t: Tensor): Tensor =>
  map(t, (v) => {
    const s = sigmoidOf(v);
    return s * (1 - s);
  });
/** @example tanh(tensor([0])) // [0] */
export const tanh = (t: Tensor): Tensor => map(t, Math.tanh);
/** tanh'(v) = 1 − tanh²(v), evaluated at the pre-activation v. @example tanhDerivative(tensor([0])) // [1] */
export const tanhDerivative = (t: Tensor): Tensor =>
  map(t, (v) => {
    const th = Math.tanh(v);
    return 1 - th * th;
  });

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
  const out = new Float64Array(t.size);
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
 * Sums `t` down to `shape`, undoing a broadcast: the gradient of a broadcast operand is the
 * incoming gradient summed over the axes it was stretched along.
 *
 * @example
 * sumToShape(tensor([[1, 2], [3, 4]]), [2]); // [4, 6]
 */
export function sumToShape(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const target = broadcastShapes('sumToShape', t.shape, shape);
  if (!sameShape(target, t.shape)) throw new ShapeError('sumToShape', [t.shape, shape], 'the target does not broadcast to the source');
  const size = shape.reduce((p, e) => p * e, 1);
  const out = new Float64Array(size);
  const [rows, cols] = asMatrixShape(t.shape);
  const [row, col] = broadcastStrides(shape);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * row + j * col]! += t.data[i * cols + j]!;
  }
  return new Tensor(out, shape);
}

/**
 * The matrix product. `[m×k]·[k×n] → [m×n]`, `[m×k]·[k] → [m]` (matrix times column vector),
 * `[k]·[k×n] → [n]`, `[k]·[k] → scalar` (dot product). A scalar operand scales.
 *
 * @example
 * matmul(tensor([[1, 2], [3, 4]]), tensor([1, 1])); // [3, 7]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 0 || b.rank === 0) return mul(a, b);
  const m = a.rank === 2 ? a.shape[0]! : 1;
  const k = a.shape[a.rank - 1]!;
  const kb = b.shape[0]!;
  const n = b.rank === 2 ? b.shape[1]! : 1;
  if (k !== kb) throw new ShapeError('matmul', [a.shape, b.shape], `inner dimensions ${k} and ${kb} differ`);
  const out = new Float64Array(m * n);
  gemm(m, n, k, a.data, b.data, out);
  const shape = a.rank === 2 ? (b.rank === 2 ? [m, n] : [m]) : b.rank === 2 ? [n] : [];
  return new Tensor(out, shape);
}

/** The transpose of a matrix; a vector or scalar is returned as is. @example transpose(tensor([[1, 2]])).shape // [2, 1] */
export function transpose(t: Tensor): Tensor {
  if (t.rank < 2) return t;
  const [rows, cols] = t.shape as [number, number];
  const out = new Float64Array(t.size);
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
  const out = new Float64Array(m * n);
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

/** Rounds every element to `decimals` decimal places (half away from zero, as by hand). @example roundTo(tensor([2.555]), 2) // [2.56] */
export function roundTo(t: Tensor, decimals: number): Tensor {
  return map(t, (v) => roundNumber(v, decimals));
}

/** Rounds one number to `decimals` places, half away from zero, robust to binary representation (2.675 → 2.68). @example roundNumber(2.675, 2) // 2.68 */
export function roundNumber(v: number, decimals: number): number {
  if (!Number.isFinite(v)) return v;
  const factor = 10 ** decimals;
  if (Math.abs(v) * factor >= 2 ** 52) return v; // already an integer at that precision
  // 0.7·1.15 is stored as 0.8049999999999999 and 1.005·100 as 100.49999999999999; a student has
  // 0.805 and 100.5. Twelve significant digits drop that binary noise before rounding.
  const shifted = Number((Number(Math.abs(v).toPrecision(12)) * factor).toPrecision(12));
  // Math.round rounds .5 upward, which for the absolute value is away from zero.
  const result = (Math.round(shifted) / factor) * Math.sign(v);
  return result === 0 ? 0 : result;
}
