/**
 * Load run of the API with autocannon, against a server on loopback started as `pnpm api` starts
 * it (`node --import tsx src/server.ts`, default pools) in a child process, so the load generator
 * does not share the server's event loop.
 *
 * 1. GET  /v1/solutions/q3 (JSON), 100 connections — served from memory.
 * 2. POST /v1/backprop (Question 3), 100 connections — solved inline on the event loop.
 * 3. GET  /health, 100 connections, while loops of gradient checks keep both compute workers busy.
 *
 * Targets: zero errors and zero dropped requests (errors, timeouts, resets, non-2xx) at 100
 * connections (a miss exits 1); /health p99 under 50 ms during the heavy load (reported PASS/FAIL,
 * exit code unaffected: it depends on the machine and what else runs on it).
 *
 * Reading the latencies: while the event loop is saturated (the inline routes at 100 connections),
 * Node accepts new connections about one per turn of the loop, so the first request of the last
 * connections to open waits for up to ~100 turns. That start-up ramp, not the steady state, is the
 * p99 / max of the CPU-bound routes (a bare `node:http` server with a 0.8 ms handler shows the same:
 * p99 ≈ 1.2 s, max ≈ 4 s at 100 connections). The p50 is the steady state.
 *
 * `tsx bench/load.bench.ts [--json] [--duration=S]`
 */
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { printTable, wantsJson } from '@chainrule/bench';
import { networkProblem, q3Problem } from '@chainrule/test-support';

const CONNECTIONS = 100;
const DURATION_S = Number(/--duration=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 5);
const HEALTH_P99_TARGET_MS = 50;
/** Gradient checks in flight during the /health run: twice the workers, so neither ever waits for work. */
const GRADCHECK_LOOPS = 4;
const json = wantsJson();
const say = (line: string) => (json ? process.stderr.write(`${line}\n`) : console.log(line));

interface Row {
  name: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  completed: number;
  errors: number;
  timeouts: number;
  resets: number;
  non2xx: number;
  note?: string;
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the server exited with code ${child.exitCode}: ${output}`));
      }
    }, 20);
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

interface Health {
  compute: { size: number; workers: number; busy: number; queued: number };
  tasks: { busy: number; queued: number };
}

const health = async (url: string): Promise<Health> => (await (await fetch(`${url}/health`)).json()) as Health;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the workers are up and the reference solutions are rendered (the server warms both at start). */
async function warmedUp(url: string): Promise<void> {
  for (;;) {
    const h = await health(url);
    if (h.compute.workers === h.compute.size && h.tasks.busy === 0 && h.tasks.queued === 0) break;
    await sleep(100);
  }
  // A few requests of each kind, so the JIT has seen them before the timed runs.
  for (let i = 0; i < 200; i++) {
    await fetch(`${url}/v1/solutions/q3?format=json`).then((r) => r.arrayBuffer());
    await fetch(`${url}/v1/backprop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(q3Problem()) }).then((r) => r.arrayBuffer());
  }
}

async function load(name: string, options: Parameters<typeof autocannon>[0], note?: string): Promise<Row> {
  say(`running ${name}: ${CONNECTIONS} connections for ${DURATION_S} s …`);
  const result: Result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, timeout: 10, ...options });
  return {
    name,
    connections: result.connections,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    completed: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    non2xx: result.non2xx,
    ...(note === undefined ? {} : { note }),
  };
}

/** Keeps `loops` gradient checks in flight until stopped; counts the answers. */
function gradcheckLoad(url: string, loops: number) {
  const body = JSON.stringify({ problem: networkProblem(64, 64) });
  const stats = { completed: 0, failed: 0, statuses: new Map<number, number>(), busySamples: [] as number[] };
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const res = await fetch(`${url}/v1/gradcheck`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
        if (res.ok) stats.completed++;
        else stats.failed++;
      } catch {
        stats.failed++;
      }
    }
  };
  const sampler = setInterval(() => {
    void health(url).then((h) => stats.busySamples.push(h.compute.busy), () => {});
  }, 250);
  const done = Promise.all(Array.from({ length: loops }, loop));
  return {
    stats,
    async stop() {
      running = false;
      clearInterval(sampler);
      await done;
    },
  };
}

async function main(): Promise<void> {
  const { child, url } = await startServer();
  try {
    await warmedUp(url);
    const rows: Row[] = [];
    rows.push(await load('GET /v1/solutions/q3 (json)', { url: `${url}/v1/solutions/q3?format=json` }));
    rows.push(
      await load('POST /v1/backprop (Q3)', { url: `${url}/v1/backprop`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(q3Problem()) }),
    );
    rows.push(await load('GET /health (idle)', { url: `${url}/health` }));

    const heavy = gradcheckLoad(url, GRADCHECK_LOOPS);
    // Let the pool fill before measuring.
    while ((await health(url)).compute.busy < 2) await sleep(20);
    const loaded = await load('GET /health (gradchecks)', { url: `${url}/health` });
    await heavy.stop();
    const busy = heavy.stats.busySamples;
    const meanBusy = busy.reduce((s, b) => s + b, 0) / Math.max(1, busy.length);
    loaded.note = `${heavy.stats.completed} gradient checks (64×64 network, 4 225 entries) completed, ${heavy.stats.failed} failed; mean busy workers ${meanBusy.toFixed(2)} of 2`;
    rows.push(loaded);

    const dropped = (row: Row) => row.errors + row.timeouts + row.resets + row.non2xx;
    // `errors` checks fail the process (like the wrong results of the other benches); the latency
    // target is reported, but depends on the machine and its neighbours.
    const checks = [
      ...rows
        .filter((row) => !row.name.includes('gradchecks'))
        .map((row) => ({ kind: 'errors', target: `${row.name}: zero errors / dropped at ${row.connections} connections`, pass: dropped(row) === 0, value: `${dropped(row)}` })),
      { kind: 'latency', target: `GET /health p99 < ${HEALTH_P99_TARGET_MS} ms during gradient checks`, pass: loaded.p99Ms < HEALTH_P99_TARGET_MS, value: `${loaded.p99Ms} ms` },
      { kind: 'errors', target: 'GET /health during gradient checks: zero errors / dropped', pass: dropped(loaded) === 0, value: `${dropped(loaded)}` },
      {
        kind: 'errors',
        target: 'gradient checks during the /health run: all answered 200, both workers busy',
        pass: heavy.stats.failed === 0 && heavy.stats.completed > 0 && meanBusy >= 1.5,
        value: `${heavy.stats.completed} ok, ${heavy.stats.failed} failed, busy ${meanBusy.toFixed(2)}`,
      },
    ];

    const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`;
    if (json) {
      console.log(JSON.stringify({ machine, durationSeconds: DURATION_S, connections: CONNECTIONS, rows, checks, pass: checks.every((c) => c.pass) }, null, 2));
    } else {
      console.log(`\nchainrule API load run — ${machine}, ${DURATION_S} s per run, server in a child process on loopback\n`);
      printTable([
        ['route', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'completed', 'errors', 'non-2xx', 'timeouts', 'resets'],
        ...rows.map((r) => [r.name, r.connections, r.requestsPerSecond.toFixed(0), r.p50Ms, r.p99Ms, r.maxMs, r.completed, r.errors, r.non2xx, r.timeouts, r.resets]),
      ]);
      for (const row of rows) if (row.note) console.log(`\n${row.name}: ${row.note}`);
      console.log('');
      for (const check of checks) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.target} (${check.value})`);
    }
    process.exitCode = checks.every((c) => c.pass || c.kind === 'latency') ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

await main();
