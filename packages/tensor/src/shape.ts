import { type Shape, ShapeError } from './errors.ts';

/**
 * The column-vector convention of chainrule, as the sheet writes it: a 1-D vector `[n]` is an
 * n×1 column wherever it meets a matrix, and a scalar is 1×1. Every shape rule below (broadcast,
 * matrix product, summing a broadcast back) sees operands through this one function.
 *
 * @example
 * asColumnMatrix([3]);    // [3, 1]
 * asColumnMatrix([2, 4]); // [2, 4]
 * asColumnMatrix([]);     // [1, 1]
 */
export function asColumnMatrix(shape: Shape): [number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  return [shape[0] ?? 1, 1];
}

/** True when both shapes are the same list of extents. @example sameShape([2, 3], [2, 3]) // true */
export function sameShape(a: Shape, b: Shape): boolean {
  // A loop, not `every`: every element-wise kernel asks, and a callback per call showed in profiles.
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The shape two operands of an element-wise op broadcast to. A vector next to a matrix is a
 * column (so a bias `b` of shape `[m]` adds to every column of an m×n batch), an extent of 1
 * stretches, and the result has the larger rank.
 *
 * @example
 * broadcastShapes('add', [2, 2], [2]);  // [2, 2]: [2] is the column [[b1], [b2]]
 * broadcastShapes('add', [2, 3], [1, 3]); // [2, 3]: a row stretches down
 * broadcastShapes('add', [2, 2], [3]);  // ShapeError: add: shapes [2×2] and [3] do not fit
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  const [ar, ac] = asColumnMatrix(a);
  const [br, bc] = asColumnMatrix(b);
  if ((ar !== br && ar !== 1 && br !== 1) || (ac !== bc && ac !== 1 && bc !== 1)) throw new ShapeError(op, [a, b]);
  const rows = ar === 1 ? br : ar;
  const cols = ac === 1 ? bc : ac;
  const rank = Math.max(a.length, b.length);
  return rank === 2 ? [rows, cols] : rank === 1 ? [rows] : [];
}

/** The sizes of a matrix product C = A·B (A is m×k, B is k×n) and the shape of its result. */
export interface MatmulShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly shape: Shape;
}

/**
 * The one shape rule of the matrix product, in the column convention: `[m×k]·[k×n] → [m×n]`,
 * `[m×k]·[k] → [m]` (matrix times column vector), `[m]·[1×n] → [m×n]` (the outer product
 * u vᵀ). A scalar is the 1×1 matrix where that fits (`a`·`[1×n]`, `[m×1]`·`a`), so a quadratic
 * form (y − ŷ)ᵀ(y − ŷ) backpropagates; elsewhere it is a ShapeError (scale with `mul`). A vector
 * cannot stand left of a matrix with more than one row (`x W` is a ShapeError naming the fix:
 * `Wᵀ x`, or a 1×n matrix). Kernels that compute a product elsewhere (the compute pool) use this
 * rule too.
 *
 * @example
 * matmulShape([3, 4], [4]);    // { m: 3, n: 1, k: 4, shape: [3] }
 * matmulShape([3], [1, 2]);    // { m: 3, n: 2, k: 1, shape: [3, 2] }
 * matmulShape([], [1, 2]);     // { m: 1, n: 2, k: 1, shape: [1, 2] }
 * matmulShape([2], [2, 3]);    // ShapeError: … a vector is an n×1 column …
 */
export function matmulShape(a: Shape, b: Shape): MatmulShape {
  const [m, k] = asColumnMatrix(a);
  const [kb, n] = asColumnMatrix(b);
  if (k !== kb) {
    if (a.length === 0 || b.length === 0) throw new ShapeError('matmul', [a, b], 'a scalar in a matrix product: write `a * x` to scale');
    if (a.length === 1) {
      throw new ShapeError(
        'matmul',
        [a, b],
        `a vector is an n×1 column, so it cannot multiply a matrix of ${kb} rows from the left: write Wᵀ x, or give the vector as a 1×n matrix`,
      );
    }
    throw new ShapeError('matmul', [a, b], `inner dimensions ${k} and ${kb} differ`);
  }
  // The result keeps the form of the operands: a column when b is a vector, and a's own form when b is a number.
  const shape = b.length === 2 ? [m, n] : b.length === 1 ? [m] : a.length === 2 ? [m, n] : a.length === 1 ? [m] : [];
  return { m, n, k, shape };
}
