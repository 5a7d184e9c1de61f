import { describe, expect, it } from 'vitest';
import { bufferStats, recycleBuffer, takeBuffer, takeZeroed } from './buffers.ts';
import { add, broadcastTo, exp, matmul, softmax, sumToShape, transpose } from './ops.ts';
import { tensor } from './tensor.ts';

/** Puts `count` arrays of `length` NaNs in the pool, so the next kernels of that length get garbage to overwrite. */
const poison = (length: number, count = 4) => {
  for (let i = 0; i < count; i++) recycleBuffer(new Float64Array(length).fill(Number.NaN));
};

describe('result arrays', () => {
  it('hands a recycled array of the same length back, and counts fresh and reused bytes', () => {
    const dead = new Float64Array(37);
    recycleBuffer(dead);
    const before = bufferStats();
    expect(takeBuffer(37)).toBe(dead);
    const fresh = takeBuffer(37);
    expect(fresh).not.toBe(dead);
    const after = bufferStats();
    expect(after.reusedBytes - before.reusedBytes).toBe(37 * 8);
    expect(after.freshBytes - before.freshBytes).toBe(37 * 8);
  });

  it('never takes a view into a larger buffer (the rest of it belongs to someone else)', () => {
    const whole = new Float64Array(64);
    recycleBuffer(whole.subarray(0, 32));
    recycleBuffer(whole.subarray(32));
    expect(takeBuffer(32).buffer).not.toBe(whole.buffer);
  });

  it('zeroes a recycled array for a kernel that accumulates', () => {
    poison(6);
    expect(Array.from(takeZeroed(6))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('kernels overwrite every entry of a recycled array: the numbers of plain arithmetic, no NaN left', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[0.5, -1, 2], [3, 0, -2]]);
    poison(6);
    expect(add(a, b).toArray()).toEqual([[1.5, 1, 5], [7, 5, 4]]);
    poison(6);
    expect(transpose(a).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    poison(6);
    expect(broadcastTo(tensor([1, 2]), [2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    poison(2);
    expect(sumToShape(a, [2]).toArray()).toEqual([6, 15]);
    poison(4);
    // [1 2 3; 4 5 6]·[1 0; 0 1; 1 1] = [1+3, 2+3; 4+6, 5+6]
    expect(matmul(a, tensor([[1, 0], [0, 1], [1, 1]])).toArray()).toEqual([[4, 5], [10, 11]]);
    poison(3);
    expect(exp(tensor([0, 1, 2])).toArray()).toEqual([1, Math.E, Math.exp(2)]);
    poison(2);
    expect(softmax(tensor([0, 0])).toArray()).toEqual([0.5, 0.5]);
  });

  it('a fresh large array (allocated without zero-fill) is filled by its kernel all the same', () => {
    const n = 2048;
    const a = tensor(Array.from({ length: n }, (_, i) => i));
    const sum = add(a, a);
    expect(Array.from(sum.data)).toEqual(Array.from({ length: n }, (_, i) => 2 * i));
    expect(sum.data.byteOffset).toBe(0);
    expect(sum.data.buffer.byteLength).toBe(n * 8);
  });
});
