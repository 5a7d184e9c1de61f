/**
 * A free list of SharedArrayBuffers for staging matmul operands. Fresh memory is not free: its
 * pages fault in on first touch, which on the VM this was measured on costs ~12 µs per 4 KiB page
 * — 6.5 ms for a 512×512 operand, more than a memcpy of it into a warm buffer (0.1 ms). Reusing
 * staging buffers keeps that cost off every call.
 */
export class SharedBuffers {
  readonly #free = new Map<number, SharedArrayBuffer[]>();
  #retained = 0;

  /** Holds at most `maxRetainedBytes` of idle buffers; buffers beyond it are left to the GC. */
  constructor(readonly maxRetainedBytes = 128 * 1024 * 1024) {}

  /** A buffer of at least `bytes` bytes (a power of two from 64 KiB), recycled when one is free. */
  acquire(bytes: number): SharedArrayBuffer {
    const size = sizeClass(bytes);
    const buffer = this.#free.get(size)?.pop();
    if (buffer) {
      this.#retained -= size;
      return buffer;
    }
    return new SharedArrayBuffer(size);
  }

  /** Gives a buffer back; only buffers no thread will write to any more may be released. */
  release(buffer: SharedArrayBuffer): void {
    const size = buffer.byteLength;
    if (size !== sizeClass(size) || this.#retained + size > this.maxRetainedBytes) return;
    const list = this.#free.get(size) ?? [];
    list.push(buffer);
    this.#free.set(size, list);
    this.#retained += size;
  }

  clear(): void {
    this.#free.clear();
    this.#retained = 0;
  }
}

function sizeClass(bytes: number): number {
  return Math.max(65_536, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
}
