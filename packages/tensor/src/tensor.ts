import { type Shape, TensorValueError, describeShape } from './errors.ts';

/** A number, a vector as an array, or a matrix as an array of rows. */
export type NestedArray = number | readonly number[] | readonly (readonly number[])[];

/**
 * A dense row-major tensor of rank 0, 1 or 2 on a `Float64Array`. A rank-1 tensor `[n]` is an
 * n×1 column vector wherever it meets a matrix (`W x`, a bias added to a batch); its transpose is
 * the 1×n row. See `matmulShape` and `broadcastShapes` for the rules.
 *
 * @example
 * const w = tensor([[1, 2], [3, 4]]);
 * w.shape;      // [2, 2]
 * w.toArray();  // [[1, 2], [3, 4]]
 */
export class Tensor {
  readonly data: Float64Array;
  readonly shape: Shape;

  constructor(data: Float64Array, shape: Shape) {
    if (shape.length > 2) throw new TensorValueError(`tensors of rank ${shape.length} are not supported (rank 0, 1 or 2 only)`);
    let size = 1;
    for (let i = 0; i < shape.length; i++) {
      const extent = shape[i]!;
      if (!Number.isInteger(extent) || extent < 0) throw new TensorValueError(`invalid shape ${JSON.stringify(shape)}`);
      size *= extent;
    }
    if (data.length !== size) {
      throw new TensorValueError(`${data.length} values do not fill shape ${describeShape(shape)} (needs ${size})`);
    }
    this.data = data;
    this.shape = sharedShape(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  get rows(): number {
    return this.shape.length === 2 ? this.shape[0]! : this.shape.length === 1 ? this.shape[0]! : 1;
  }

  get cols(): number {
    return this.shape.length === 2 ? this.shape[1]! : 1;
  }

  /** The single value of a scalar (or of any one-element tensor). */
  item(): number {
    if (this.data.length !== 1) throw new TensorValueError(`item() needs one element, the tensor has shape ${describeShape(this.shape)}`);
    return this.data[0]!;
  }

  /** The element at row `i` (and column `j` for a matrix). */
  at(i: number, j = 0): number {
    return this.data[this.shape.length === 2 ? i * this.shape[1]! + j : i]!;
  }

  /** Back to plain numbers: a number, an array, or an array of rows. */
  toArray(): number | number[] | number[][] {
    if (this.shape.length === 0) return this.data[0]!;
    if (this.shape.length === 1) return Array.from(this.data);
    const [rows, cols] = this.shape as [number, number];
    const out: number[][] = [];
    for (let i = 0; i < rows; i++) out.push(Array.from(this.data.subarray(i * cols, (i + 1) * cols)));
    return out;
  }

  reshape(shape: Shape): Tensor {
    return new Tensor(this.data, shape);
  }

  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }
}

/**
 * Builds a tensor from a number, an array (vector) or an array of rows (matrix).
 *
 * @example
 * tensor([[0.4, 0.5], [0.2, 0.25]]).shape; // [2, 2]
 * tensor([1, 2, 3]).shape;                 // [3]
 */
export function tensor(value: NestedArray): Tensor {
  if (typeof value === 'number') return new Tensor(Float64Array.of(checkNumber(value, -1, -1)), []);
  if (!Array.isArray(value)) throw new TensorValueError(`expected a number, an array or an array of rows, got ${typeof value}`);
  if (value.length === 0) return new Tensor(new Float64Array(0), [0]);
  if (!Array.isArray(value[0])) {
    const entries = value as readonly unknown[];
    const data = new Float64Array(entries.length);
    for (let i = 0; i < entries.length; i++) data[i] = checkNumber(entries[i], i, -1);
    return new Tensor(data, [entries.length]);
  }
  const rows = value as readonly unknown[];
  const cols = (rows[0] as readonly unknown[]).length;
  const data = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row)) throw new TensorValueError(`[${i}]: expected a row (an array of numbers)`);
    if (row.length !== cols) throw new TensorValueError(`[${i}]: row has ${row.length} values, row 0 has ${cols} (ragged matrix)`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = checkNumber(row[j], i, j);
  }
  return new Tensor(data, [rows.length, cols]);
}

/** `v` if it is a number; else an error naming where (`[i]`, `[i][j]`, or the value itself for −1, −1), its path made only then. */
function checkNumber(v: unknown, i: number, j: number): number {
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  const path = i < 0 ? 'value' : j < 0 ? `[${i}]` : `[${i}][${j}]`;
  throw new TensorValueError(`${path}: expected a number, got ${JSON.stringify(v)}`);
}

/** A tensor of the given shape filled with `value`. @example full([2, 3], 0.5) */
export function full(shape: Shape, value: number): Tensor {
  const size = shape.reduce((p, e) => p * e, 1);
  return new Tensor(new Float64Array(size).fill(value), shape);
}

/** @example zeros([3]) // [0, 0, 0] */
export function zeros(shape: Shape): Tensor {
  return full(shape, 0);
}

/** @example ones([2, 2]) */
export function ones(shape: Shape): Tensor {
  return full(shape, 1);
}

/**
 * The one frozen array of a shape's extents, shared by every tensor of that shape (up to
 * {@link SHARED_SHAPES_MAX} shapes; past that a shape is frozen afresh): freezing a copy per tensor
 * was the costliest line of a small graph's evaluation, and a kernel's result mostly has an
 * operand's shape, the same object.
 */
function sharedShape(shape: Shape): Shape {
  if (shape.length === 0) return SCALAR_SHAPE;
  const rows = shape[0]!;
  if (shape.length === 1) {
    const known = vectorShapes.get(rows);
    if (known !== undefined) return known;
    return remember(vectorShapes, rows, shape);
  }
  const cols = shape[1]!;
  let byCols = matrixShapes.get(rows);
  if (byCols === undefined) {
    if (sharedShapes >= SHARED_SHAPES_MAX) return Object.freeze([rows, cols]);
    matrixShapes.set(rows, (byCols = new Map()));
  }
  const known = byCols.get(cols);
  if (known !== undefined) return known;
  return remember(byCols, cols, shape);
}
function remember(map: Map<number, Shape>, key: number, shape: Shape): Shape {
  const frozen = Object.freeze([...shape]);
  if (sharedShapes < SHARED_SHAPES_MAX) {
    map.set(key, frozen);
    sharedShapes++;
  }
  return frozen;
}
const vectorShapes = new Map<number, Shape>();
const matrixShapes = new Map<number, Map<number, Shape>>();
let sharedShapes = 0;
const SHARED_SHAPES_MAX = 4096;

/** A scalar tensor. @example scalar(0.5).item() // 0.5 */
export function scalar(value: number): Tensor {
  return new Tensor(Float64Array.of(value), SCALAR_SHAPE);
}
const SCALAR_SHAPE: Shape = Object.freeze([]);

/** Wraps a flat row-major array (not copied) in a tensor of the given shape. @example fromFlat(new Float64Array(6), [2, 3]) */
export function fromFlat(data: Float64Array, shape: Shape): Tensor {
  return new Tensor(data, shape);
}

/** Identity matrix. @example eye(3) */
export function eye(n: number): Tensor {
  const out = zeros([n, n]);
  for (let i = 0; i < n; i++) out.data[i * n + i] = 1;
  return out;
}
