/**
 * Dense float64 matrix multiply in pure JavaScript: B and A are packed block by block (GotoBLAS
 * order) and a 2×2 register-tiled micro-kernel walks the packed panels.
 */

/** Depth of a packed block: a 2×KC strip of A and a KC×2 panel of B are 4 KB each (L1). */
const KC = 256;
/** Rows of A packed at a time: MC×KC doubles = 256 KB, meant to stay in L2 while B panels stream. */
const MC = 128;
/** Columns of B packed at a time. */
const NC = 1024;

// The packed blocks live in one plain array, not a Float64Array: V8 keeps it PACKED_DOUBLE_ELEMENTS,
// whose loads compile to a 32-bit bounds check plus one indexed load, while every typed-array load
// also recomputes the data pointer. On Node 20 that made gemm about 30% faster. The array grows to
// the largest pair of blocks used so far (at most (MC + NC)·KC doubles, 2.4 MB) and is kept.
let pack: number[] = [0.5];

function packArea(size: number): number[] {
  // Filled with 0.5, not 0: an array of small integers would start out as PACKED_SMI_ELEMENTS.
  if (pack.length < size) pack = Array.from({ length: size }, () => 0.5);
  return pack;
}

/**
 * C = A·B on flat row-major arrays: A is m×k, B is k×n, C is m×n and is overwritten.
 * Only the first m·k, k·n and m·n elements of `a`, `b` and `c` are touched, so views into larger
 * buffers work. `c` must not overlap `a` or `b`. Sums are formed in another order than in
 * {@link gemmNaive}, so the two can differ in the last bits. With `transA` the array `a` holds Aᵀ
 * (k×m) and with `transB` the array `b` holds Bᵀ (n×k): a transposed operand is read in place, never
 * copied, and the result is bit for bit the one of the materialised transpose.
 *
 * @example
 * const c = new Float64Array(4);
 * gemm(2, 2, 2, Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), c); // c = [19, 22, 43, 50]
 * gemm(2, 2, 2, Float64Array.of(1, 3, 2, 4), Float64Array.of(5, 6, 7, 8), c, true); // the same: a holds Aᵀ
 */
export function gemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, transA = false, transB = false): void {
  if (!(Number.isInteger(m) && Number.isInteger(n) && Number.isInteger(k) && m >= 0 && n >= 0 && k >= 0)) {
    throw new RangeError(`gemm: invalid dimensions m=${m}, n=${n}, k=${k}`);
  }
  if (a.length < m * k || b.length < k * n || c.length < m * n) {
    throw new RangeError(
      `gemm: ${m}×${k}·${k}×${n} needs arrays of ${m * k}, ${k * n} and ${m * n} elements, got ${a.length}, ${b.length} and ${c.length}`,
    );
  }
  if (m === 0 || n === 0) return;
  // A(i, p) = a[i·ars + p·acs] and B(p, j) = b[p·brs + j·bcs].
  const ars = transA ? 1 : k;
  const acs = transA ? m : 1;
  const brs = transB ? 1 : n;
  const bcs = transB ? k : 1;
  // Packing pays off even for 4×4×4 and for k = 2 (measured); a single row or column does not.
  // Every path sums from +0 in the same order, so a product is the same whichever path computes it.
  if (k === 0) c.fill(0, 0, m * n);
  else if (k === 1) outerProduct(m, n, a, b, c);
  else if (n === 1) (transA ? gemvTransposed : gemv)(m, k, a, b, c);
  else if (m === 1) gemmRow(n, k, a, b, brs, bcs, c);
  else gemmPacked(m, n, k, a, ars, acs, b, brs, bcs, c);
}

/**
 * The plain i-k-j triple loop, C = A·B with the same conventions as {@link gemm}. The baseline the
 * tests and benchmark compare against.
 *
 * @example
 * const c = new Float64Array(1);
 * gemmNaive(1, 1, 3, Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6), c); // c = [32]
 */
export function gemmNaive(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array): void {
  c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const cRow = i * n;
    const aRow = i * k;
    for (let p = 0; p < k; p++) {
      const aip = a[aRow + p]!;
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[cRow + j]! += aip * b[bRow + j]!;
    }
  }
}

/** C (1×n) = a (1×k) · B: the i-k-j loop for a single row of A (a row of A is the same array transposed or not). */
function gemmRow(n: number, k: number, a: Float64Array, b: Float64Array, brs: number, bcs: number, c: Float64Array): void {
  c.fill(0, 0, n);
  for (let p = 0; p < k; p++) {
    const ap = a[p]!;
    const bRow = p * brs;
    for (let j = 0; j < n; j++) c[j]! += ap * b[bRow + j * bcs]!;
  }
}

/**
 * C (m×n) = u vᵀ for k = 1 (a column and a row are the same arrays transposed or not); `0 +` as the
 * other paths start from +0. Two rows at a time, so that each v[j] loaded serves both.
 */
function outerProduct(m: number, n: number, u: Float64Array, v: Float64Array, c: Float64Array): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const u0 = u[i]!;
    const u1 = u[i + 1]!;
    const r0 = i * n;
    const r1 = r0 + n;
    for (let j = 0; j < n; j++) {
      const vj = v[j]!;
      c[r0 + j] = 0 + u0 * vj;
      c[r1 + j] = 0 + u1 * vj;
    }
  }
  if (i < m) {
    const ui = u[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) c[row + j] = 0 + ui * v[j]!;
  }
}

/**
 * C (m×1) = A (m×k) · x (k×1): per row two accumulators (even p, odd p) to hide add latency, then
 * their sum; four rows at a time so that each x[p] loaded serves four rows.
 */
function gemv(m: number, k: number, a: Float64Array, x: Float64Array, c: Float64Array): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const r0 = i * k;
    const r1 = r0 + k;
    const r2 = r1 + k;
    const r3 = r2 + k;
    let s00 = 0;
    let s01 = 0;
    let s10 = 0;
    let s11 = 0;
    let s20 = 0;
    let s21 = 0;
    let s30 = 0;
    let s31 = 0;
    let p = 0;
    for (; p + 1 < k; p += 2) {
      const x0 = x[p]!;
      const x1 = x[p + 1]!;
      s00 += a[r0 + p]! * x0;
      s01 += a[r0 + p + 1]! * x1;
      s10 += a[r1 + p]! * x0;
      s11 += a[r1 + p + 1]! * x1;
      s20 += a[r2 + p]! * x0;
      s21 += a[r2 + p + 1]! * x1;
      s30 += a[r3 + p]! * x0;
      s31 += a[r3 + p + 1]! * x1;
    }
    if (p < k) {
      const x0 = x[p]!;
      s00 += a[r0 + p]! * x0;
      s10 += a[r1 + p]! * x0;
      s20 += a[r2 + p]! * x0;
      s30 += a[r3 + p]! * x0;
    }
    c[i] = s00 + s01;
    c[i + 1] = s10 + s11;
    c[i + 2] = s20 + s21;
    c[i + 3] = s30 + s31;
  }
  for (; i < m; i++) {
    const aRow = i * k;
    let s0 = 0;
    let s1 = 0;
    let p = 0;
    for (; p + 1 < k; p += 2) {
      s0 += a[aRow + p]! * x[p]!;
      s1 += a[aRow + p + 1]! * x[p + 1]!;
    }
    if (p < k) s0 += a[aRow + p]! * x[p]!;
    c[i] = s0 + s1;
  }
}

/**
 * C (m×1) = A · x where `a` holds Aᵀ (k×m): {@link gemv}'s sums in its order (even p, odd p, then
 * their sum), four rows of A at a time so that each step reads four adjacent entries of a row of Aᵀ
 * instead of one entry per cache line down a column.
 */
function gemvTransposed(m: number, k: number, a: Float64Array, x: Float64Array, c: Float64Array): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    let s00 = 0;
    let s01 = 0;
    let s10 = 0;
    let s11 = 0;
    let s20 = 0;
    let s21 = 0;
    let s30 = 0;
    let s31 = 0;
    let p = 0;
    for (; p + 1 < k; p += 2) {
      const even = p * m + i;
      const odd = even + m;
      const x0 = x[p]!;
      const x1 = x[p + 1]!;
      s00 += a[even]! * x0;
      s10 += a[even + 1]! * x0;
      s20 += a[even + 2]! * x0;
      s30 += a[even + 3]! * x0;
      s01 += a[odd]! * x1;
      s11 += a[odd + 1]! * x1;
      s21 += a[odd + 2]! * x1;
      s31 += a[odd + 3]! * x1;
    }
    if (p < k) {
      const even = p * m + i;
      const x0 = x[p]!;
      s00 += a[even]! * x0;
      s10 += a[even + 1]! * x0;
      s20 += a[even + 2]! * x0;
      s30 += a[even + 3]! * x0;
    }
    c[i] = s00 + s01;
    c[i + 1] = s10 + s11;
    c[i + 2] = s20 + s21;
    c[i + 3] = s30 + s31;
  }
  for (; i < m; i++) {
    let s0 = 0;
    let s1 = 0;
    let p = 0;
    for (; p + 1 < k; p += 2) {
      s0 += a[p * m + i]! * x[p]!;
      s1 += a[(p + 1) * m + i]! * x[p + 1]!;
    }
    if (p < k) s0 += a[p * m + i]! * x[p]!;
    c[i] = s0 + s1;
  }
}

function gemmPacked(m: number, n: number, k: number, a: Float64Array, ars: number, acs: number, b: Float64Array, brs: number, bcs: number, c: Float64Array): void {
  // Packed depths are rounded up to even (zero-padded) so the kernel can take k two at a time.
  const kcMax = (Math.min(KC, k) + 1) & ~1;
  const bOff = ((Math.min(MC, m) + 1) & ~1) * kcMax;
  const P = packArea(bOff + ((Math.min(NC, n) + 1) & ~1) * kcMax);

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const kcp = (kc + 1) & ~1;
      const first = pc === 0;
      packB(P, bOff, b, brs, bcs, pc, kc, kcp, jc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(P, a, ars, acs, pc, kc, kcp, ic, mc);
        for (let jr = 0; jr < nc; jr += 2) {
          const w = nc - jr > 1 ? 2 : 1;
          const bo = bOff + jr * kcp;
          for (let ir = 0; ir < mc; ir += 2) {
            const h = mc - ir > 1 ? 2 : 1;
            kernel2x2(P, ir * kcp, bo, kcp, c, (ic + ir) * n + jc + jr, n, h, w, first);
          }
        }
      }
    }
  }
}

/**
 * Packs B[pc .. pc+kc, jc .. jc+nc] (B(p, j) = b[p·brs + j·bcs]) at P[bOff ..] as panels of two columns: panel q holds
 * b(p, jc+2q), b(p, jc+2q+1) for p = pc, pc+1, …, padded with zeros to kcp rows and to an even width.
 */
function packB(P: number[], bOff: number, b: Float64Array, brs: number, bcs: number, pc: number, kc: number, kcp: number, jc: number, nc: number): void {
  for (let jr = 0; jr < nc; jr += 2) {
    let dst = bOff + jr * kcp;
    let src = pc * brs + (jc + jr) * bcs;
    if (jr + 1 < nc) {
      for (let p = 0; p < kc; p++, dst += 2, src += brs) {
        P[dst] = b[src]!;
        P[dst + 1] = b[src + bcs]!;
      }
    } else {
      for (let p = 0; p < kc; p++, dst += 2, src += brs) {
        P[dst] = b[src]!;
        P[dst + 1] = 0;
      }
    }
    if (kcp !== kc) P[dst] = P[dst + 1] = 0;
  }
}

/** Packs A[ic .. ic+mc, pc .. pc+kc] (A(i, p) = a[i·ars + p·acs]) at P[0 ..] as strips of two rows, interleaved the same way as packB. */
function packA(P: number[], a: Float64Array, ars: number, acs: number, pc: number, kc: number, kcp: number, ic: number, mc: number): void {
  for (let ir = 0; ir < mc; ir += 2) {
    let dst = ir * kcp;
    let src = (ic + ir) * ars + pc * acs;
    if (ir + 1 < mc) {
      for (let p = 0; p < kc; p++, dst += 2, src += acs) {
        P[dst] = a[src]!;
        P[dst + 1] = a[src + ars]!;
      }
    } else {
      for (let p = 0; p < kc; p++, dst += 2, src += acs) {
        P[dst] = a[src]!;
        P[dst + 1] = 0;
      }
    }
    if (kcp !== kc) P[dst] = P[dst + 1] = 0;
  }
}

/**
 * The h×w (≤ 2×2) block of C at c[ci] is set (`first`) or incremented by A-strip · B-panel.
 *
 * Two rows by two columns looks small, but V8 schedules every load of an iteration before any
 * arithmetic and spills once ~14 doubles are live; larger tiles (3×4, 4×4, …) lost more to spills
 * than they saved in loads. Taking k two steps at a time and adding the two products before the
 * accumulator halves the loop overhead and the length of the dependency chains. One index walks
 * both panels (they advance at the same rate); `| 0` keeps index arithmetic free of overflow checks.
 */
function kernel2x2(
  P: number[],
  ao: number,
  bo: number,
  kcp: number,
  c: Float64Array,
  ci: number,
  n: number,
  h: number,
  w: number,
  first: boolean,
): void {
  let c00 = 0;
  let c01 = 0;
  let c10 = 0;
  let c11 = 0;
  const d = (bo - ao) | 0;
  const end = (ao + 2 * kcp) | 0;
  for (let i = ao; i < end; i = (i + 4) | 0) {
    const j = (i + d) | 0;
    const a0 = P[i]!;
    const a1 = P[(i + 1) | 0]!;
    const a2 = P[(i + 2) | 0]!;
    const a3 = P[(i + 3) | 0]!;
    const b0 = P[j]!;
    const b1 = P[(j + 1) | 0]!;
    const b2 = P[(j + 2) | 0]!;
    const b3 = P[(j + 3) | 0]!;
    c00 += a0 * b0 + a2 * b2;
    c01 += a0 * b1 + a2 * b3;
    c10 += a1 * b0 + a3 * b2;
    c11 += a1 * b1 + a3 * b3;
  }
  const cj = ci + n;
  if (first) {
    c[ci] = c00;
    if (w === 2) c[ci + 1] = c01;
    if (h === 2) {
      c[cj] = c10;
      if (w === 2) c[cj + 1] = c11;
    }
  } else {
    c[ci]! += c00;
    if (w === 2) c[ci + 1]! += c01;
    if (h === 2) {
      c[cj]! += c10;
      if (w === 2) c[cj + 1]! += c11;
    }
  }
}
