let t = performance.now();
await import('@chainrule/tensor');
const t1 = performance.now() - t; t = performance.now();
await import('@chainrule/graph');
console.log('tensor', t1.toFixed(0), 'graph', (performance.now() - t).toFixed(0));
