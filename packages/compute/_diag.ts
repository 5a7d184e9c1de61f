import { gemm } from '@chainrule/tensor';
import { createPool } from './src/index.ts';
import { randomMatrix } from './bench/common.ts';
const n = 512;
const a = randomMatrix(n, n, 1), b = randomMatrix(n, n, 2);
const c = new Float64Array(n * n);
const pool1 = createPool({ size: 1 });
await pool1.warmup();
// SAB vs plain on main thread
const sa = new Float64Array(new SharedArrayBuffer(n*n*8)); sa.set(a.data);
const sb = new Float64Array(new SharedArrayBuffer(n*n*8)); sb.set(b.data);
const sc = new Float64Array(new SharedArrayBuffer(n*n*8));
for (let r = 0; r < 12; r++) {
  let t = performance.now(); gemm(n, n, n, a.data, b.data, c); const plain = performance.now() - t;
  t = performance.now(); gemm(n, n, n, sa, sb, sc); const shared = performance.now() - t;
  t = performance.now(); await pool1.matmul(a, b, { mode: 'pool' }); const w1 = performance.now() - t;
  console.log({ plain: plain.toFixed(1), shared: shared.toFixed(1), worker1: w1.toFixed(1), load: (await import('node:os')).loadavg()[0] });
}
await pool1.close();
