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
    // A frozen shape (another tensor's) is shared as it is: an op's result does not copy its operand's shape.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
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
  if (typeof value === 'number') return new Tensor(Float64Array.of(checkNumber(value, '')), []);
  if (!Array.isArray(value)) throw new TensorValueError(`expected a number, an array or an array of rows, got ${typeof value}`);
  if (value.length === 0) return new Tensor(new Float64Array(0), [0]);
  if (!Array.isArray(value[0])) {
    return new Tensor(Float64Array.from(value as number[], (v, i) => checkNumber(v, `[${i}]`)), [value.length]);
  }
  const rows = value as unknown[];
  const first = rows[0];
  if (!Array.isArray(first)) throw new TensorValueError(`[0]: expected a row (an array of numbers)`);
  const cols = first.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new TensorValueError(`[${i}]: expected a row (an array of numbers)`);
    if (row.length !== cols) throw new TensorValueError(`[${i}]: row has ${row.length} values, row 0 has ${cols} (ragged matrix)`);
    row.forEach((v: unknown, j: number) => {
      data[i * cols + j] = checkNumber(v, `[${i}][${j}]`);
    });
  });
  return new Tensor(data, [rows.length, cols]);
}

function checkNumber(v: unknown, path: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TensorValueError(`${path || 'value'}: expected a number, got ${JSON.stringify(v)}`);
  return v;
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
