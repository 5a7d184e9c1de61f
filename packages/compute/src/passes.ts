/**
 * The pool's own passes as plain functions, shared by the calling thread and the workers: the
 * row blocks of a shared-buffer matmul, how work is split, and which buffers of a task's answer
 * are transferred rather than copied. Nothing here knows about threads.
 */
import { ChainruleError, type MatmulShape, type Shape, ShapeError, type Tensor, describeShape, gemm, matmul, matmulShape } from '@chainrule/tensor';

/** One row block of C = A·B, all three on shared memory. Offsets are in elements. */
export interface MatmulJob {
  a: SharedArrayBuffer;
  b: SharedArrayBuffer;
  c: SharedArrayBuffer;
  aOffset: number;
  bOffset: number;
  cOffset: number;
  m: number;
  n: number;
  k: number;
  /** The rows of C to compute: [rowStart, rowEnd). */
  rowStart: number;
  rowEnd: number;
}

/**
 * Computes rows [rowStart, rowEnd) of C with the tensor kernel on views of the shared buffers.
 *
 * @example
 * matmulRows({ a, b, c, aOffset: 0, bOffset: 0, cOffset: 0, m: 4, n: 4, k: 4, rowStart: 0, rowEnd: 2 });
 */
export function matmulRows(job: MatmulJob): void {
  const { m, n, k, rowStart, rowEnd } = job;
  if (rowEnd > m) throw new ChainruleError('internal', `matmul row block ${rowStart}..${rowEnd} is outside ${m} rows`);
  const rows = rowEnd - rowStart;
  const a = new Float64Array(job.a, job.aOffset * 8 + rowStart * k * 8, rows * k);
  const b = new Float64Array(job.b, job.bOffset * 8, k * n);
  const c = new Float64Array(job.c, job.cOffset * 8 + rowStart * n * 8, rows * n);
  gemm(rows, n, k, a, b, c);
}

/** One row block of C = A·B from copies: the block's rows of A, all of B. */
export interface MatmulBlock {
  /** Rows [rowStart, rowEnd) of A, `rows × k`. */
  a: Float64Array;
  /** All of B, `k × n`. */
  b: Float64Array;
  rows: number;
  n: number;
  k: number;
}

/**
 * Computes a row block of C from copies of its operands (where no memory is shared): the rows
 * of C that `a` holds the rows of A for.
 *
 * @example
 * const block = matmulBlock({ a: aRows, b: bAll, rows: 2, n: 4, k: 4 }); // 2 × 4
 */
export function matmulBlock(job: MatmulBlock): Float64Array {
  const { a, b, rows, n, k } = job;
  if (a.length !== rows * k || b.length !== k * n) throw new ChainruleError('internal', `matmul block: ${a.length} and ${b.length} entries do not fit ${rows}×${k} · ${k}×${n}`);
  const c = new Float64Array(rows * n);
  gemm(rows, n, k, a, b, c);
  return c;
}

/**
 * `out` must have the result's shape and must not share memory with an operand (gemm's C must
 * not overlap A or B).
 *
 * @example
 * checkOut(a, b, out, matmulShape(a.shape, b.shape)); // throws a ShapeError naming the three shapes
 */
export function checkOut(a: Tensor, b: Tensor, out: Tensor, dims: MatmulShape): void {
  const shape = dims.shape;
  if (out.shape.length !== shape.length || out.shape.some((e, i) => e !== shape[i])) {
    throw new ShapeError('matmul', [a.shape, b.shape, out.shape], `out must have the shape of the product, ${describeShape(shape)}`);
  }
  const overlaps = (t: Tensor) =>
    t.data.buffer === out.data.buffer &&
    t.data.byteOffset < out.data.byteOffset + out.data.byteLength &&
    out.data.byteOffset < t.data.byteOffset + t.data.byteLength;
  if (overlaps(a) || overlaps(b)) throw new ShapeError('matmul', [a.shape, b.shape, out.shape], 'out must not share memory with an operand');
}

/**
 * Splits `total` items into at most `parts` contiguous ranges of near-equal size: how a parallel
 * task hands its work to the workers.
 *
 * @example
 * splitRange(10, 3); // [[0, 3], [3, 6], [6, 10]]
 * splitRange(0, 3);  // []
 */
export function splitRange(total: number, parts: number): [start: number, end: number][] {
  const count = Math.max(1, Math.min(parts, total));
  const ranges: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor((i * total) / count);
    const end = Math.floor(((i + 1) * total) / count);
    if (end > start) ranges.push([start, end]);
  }
  return ranges;
}

/**
 * The buffers of a task's answer worth transferring instead of copying: those of typed arrays at
 * the top of the answer or one level down (`{ data: Float64Array }`, `[Float64Array, …]`) that
 * own their whole buffer. Shared buffers and views into a larger buffer are left to be copied.
 *
 * @example
 * transferables({ losses: new Float64Array(3), shapes: [[2]] }); // [losses.buffer]
 */
export function transferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (candidate: unknown, depth: number) => {
    if (ArrayBuffer.isView(candidate)) {
      const { buffer } = candidate;
      if (!isShared(buffer) && candidate.byteOffset === 0 && candidate.byteLength === buffer.byteLength && buffer.byteLength > 0) found.add(buffer);
      return;
    }
    if (depth === 0 || typeof candidate !== 'object' || candidate === null) return;
    for (const inner of Array.isArray(candidate) ? candidate : Object.values(candidate)) visit(inner, depth - 1);
  };
  visit(value, 2);
  return [...found];
}

/**
 * Whether a buffer is a SharedArrayBuffer; false wherever the type does not exist (a page that is
 * not cross-origin isolated has no `SharedArrayBuffer` at all).
 *
 * @example
 * isShared(new ArrayBuffer(8)); // false
 */
export function isShared(buffer: ArrayBufferLike): buffer is SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}

/**
 * The URL of a task module beside the calling module: `stem.ts` when the caller runs from its
 * TypeScript source (development), `stem.js` when it runs built. For Node code; packages that
 * must stay loadable in a browser write the same one line themselves rather than import this
 * package at run time.
 *
 * @example
 * const TASKS_MODULE = taskModule(import.meta.url, 'tasks'); // file:///…/src/tasks.ts
 */
export function taskModule(base: string, stem: string): URL {
  return new URL(`./${stem}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}
