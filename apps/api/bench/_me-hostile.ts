import { hostileRequests } from './drivers.ts';
const url = 'http://127.0.0.1:18787';
const rows: [number, string, number, number][] = [];
for (const { method, path, body } of hostileRequests()) {
  const t = performance.now();
  const res = await fetch(url + path, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) });
  await res.arrayBuffer();
  rows.push([performance.now() - t, path + ' ' + (body ?? '').slice(0, 60), res.status, body?.length ?? 0]);
}
rows.sort((a, b) => b[0] - a[0]);
for (const r of rows.slice(0, 25)) console.log(r[0].toFixed(1), r[2], r[3], r[1]);
console.log('total', rows.reduce((s, r) => s + r[0], 0).toFixed(0));
