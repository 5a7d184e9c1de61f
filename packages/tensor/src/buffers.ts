/**
 * Where kernels get the arrays of their results. A fresh Float64Array is zero-filled memory, often
 * new pages from the system; allocating a 64×64 result cost more than the 4,096 multiplications
 * that fill it. A caller that knows an intermediate value is dead (the evaluation plan, by
 * liveness) hands its array back with {@link recycleBuffer}, and the next kernel that needs an
 * array of that length gets it instead of a fresh one. Nobody else recycling, every array is fresh.
 */

/**
 * Node's uninitialised allocation, where there is one (not in a browser): a large fresh array is
 * written by its kernel anyway, so zero-filling it first is a wasted pass over memory. Its own
 * ArrayBuffer (never Node's shared pool), so it can be transferred to a worker like any other.
 */
const allocUnsafeSlow = (globalThis as { Buffer?: { allocUnsafeSlow?: (size: number) => Uint8Array } }).Buffer?.allocUnsafeSlow;
/** From this many doubles (8 KB) on, skipping the zero-fill pays (measured: a 32 KB array ~4× faster to allocate). */
const UNINITIALISED_MIN = 1024;

/** Arrays given back, by length; at most this many bytes are kept in all (the rest is left to the collector). */
const POOL_LIMIT_BYTES = 32 * 2 ** 20;
const free = new Map<number, Float64Array[]>();
let pooledBytes = 0;
let freshBytes = 0;
let reusedBytes = 0;

/**
 * An array of `length` doubles whose contents are undefined: for a kernel that writes every entry.
 *
 * @example
 * const out = takeBuffer(n);
 * for (let i = 0; i < n; i++) out[i] = 2 * a[i]!;
 */
export function takeBuffer(length: number): Float64Array {
  const recycled = free.get(length)?.pop();
  if (recycled !== undefined) {
    pooledBytes -= recycled.byteLength;
    reusedBytes += recycled.byteLength;
    return recycled;
  }
  freshBytes += length * 8;
  if (allocUnsafeSlow !== undefined && length >= UNINITIALISED_MIN) return new Float64Array(allocUnsafeSlow(length * 8).buffer, 0, length);
  return new Float64Array(length);
}

/** An array of `length` zeros: for a kernel that accumulates into its result. @example const out = takeZeroed(n); out[i]! += v; */
export function takeZeroed(length: number): Float64Array {
  const recycled = free.get(length)?.pop();
  if (recycled !== undefined) {
    pooledBytes -= recycled.byteLength;
    reusedBytes += recycled.byteLength;
    return recycled.fill(0);
  }
  freshBytes += length * 8;
  return new Float64Array(length);
}

/**
 * Gives back the array of a value nothing will read again, for the next kernel that needs one of
 * its length. The caller guarantees that no tensor still alive holds it (nor a view of its buffer):
 * the array will be overwritten. Views into a larger buffer are not taken.
 *
 * @example
 * const dead = mul(a, b);
 * // … after its last use:
 * recycleBuffer(dead.data);
 */
export function recycleBuffer(data: Float64Array): void {
  // A view is not recycled: the rest of its buffer may belong to someone else.
  if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength || data.length === 0) return;
  if (pooledBytes + data.byteLength > POOL_LIMIT_BYTES) return;
  let list = free.get(data.length);
  if (!list) free.set(data.length, (list = []));
  list.push(data);
  pooledBytes += data.byteLength;
}

/** Bytes kernels took since the process started: `fresh` newly allocated, `reused` from given-back arrays, `pooled` waiting now. */
export interface BufferStats {
  readonly freshBytes: number;
  readonly reusedBytes: number;
  readonly pooledBytes: number;
}

/**
 * How much memory the kernels allocated and reused: the difference of two readings counts the
 * allocation of what ran between them (a benchmark's proof that a change allocates less).
 *
 * @example
 * const before = bufferStats();
 * evaluate(graph, values);
 * const fresh = bufferStats().freshBytes - before.freshBytes;
 */
export function bufferStats(): BufferStats {
  return { freshBytes, reusedBytes, pooledBytes };
}
