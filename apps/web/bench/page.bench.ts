/**
 * The page's budget (issue 14), measured on the static build in headless Chromium:
 *  - its JavaScript (Graphviz's included, its WASM file not) ≤ 500 kB gzipped;
 *  - Question 3 drawn within 1 s of navigation (median of fresh tabs; performance mark
 *    `chainrule:drawn`), beside the same run's baseline: a blank page from the same server;
 *    with the median time of every start mark of the page and its workers (where the time goes);
 *  - typing on a 100-layer network: the longest main-thread task while typing and until the
 *    result is shown, ≤ 200 ms (the worker does the heavy pass; the page only draws); the
 *    long-task observer must first see a planted 120 ms task; beside it the costliest task's CPU
 *    time from a trace of the same typing (a loaded machine's wall times are mostly waiting for a core);
 *  - the CPU time each thread (page, drawing worker, engine worker) spent until Q3 was drawn (one traced load).
 * A CPU-noise probe runs before and after (bench/noise.ts). Prints each measure with its ratio to
 * the budget; a miss exits 1 on a quiet machine or with `--strict`, and is reported, not judged, on
 * a loaded one. `--json` for machines.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { printTable, summarize, wantsJson } from '@chainrule/bench';
import { DIST, launch, serveStatic } from '../test/harness.ts';
import { layeredState } from './layered.ts';
import { describeNoise, probeNoise } from './noise.ts';
import { openUntilDrawn } from './first-graph.ts';
import { TRACE_CATEGORIES, longestMainTask } from './trace.ts';

const BUDGET = { scriptKb: 500, drawnMs: 1000, longestTaskMs: 200 };
const RUNS = 7;

const assets = path.join(DIST, 'assets');
const files = readdirSync(assets);
const scripts = files.filter((f) => f.endsWith('.js'));
const wasm = files.filter((f) => f.endsWith('.wasm'));
if (wasm.length !== 1) throw new Error(`expected Graphviz's WASM as one .wasm file in ${assets}, found ${wasm.length} (is build/graphviz-wasm.ts in the build?)`);
const gz = (file: string) => gzipSync(readFileSync(path.join(assets, file)), { level: 9 }).length / 1000;
const pageKb = scripts.reduce((sum, f) => sum + gz(f), 0);
const graphvizKb = gz(wasm[0]!);

const quietBefore = await probeNoise();
const site = await serveStatic('/');
writeFileSync(path.join(DIST, 'blank.html'), '<!doctype html><title>blank</title><script>performance.mark("chainrule:drawn")</script>');
const browser = await launch();
let drawn: number[];
let blank: number[];
const phases = new Map<string, number[]>();
let typing: { longestTaskMs: number; longestTaskCpuMs: number; shownMs: number; steps: number; probeTaskMs: number };
let firstGraphCpu: Record<'page' | 'drawing' | 'engine', number>;
try {
  await openUntilDrawn(browser, site.url); // warm the server's file cache and Chromium's
  blank = [];
  drawn = [];
  for (let i = 0; i < RUNS; i++) {
    blank.push((await openUntilDrawn(browser, `${site.url}blank.html`)).drawnMs);
    drawn.push((await openUntilDrawn(browser, site.url, { marks: phases })).drawnMs);
  }
  // One more load, traced: the CPU time each thread spent until Q3 was drawn (what a free core would take).
  firstGraphCpu = (await openUntilDrawn(browser, site.url, { trace: true })).cpu!;

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${site.url}${await layeredState(100)}`);
  await page.waitForFunction(() => document.querySelectorAll('li.step').length > 300, undefined, { timeout: 300_000 });
  await page.waitForFunction(() => !document.body.classList.contains('busy'), undefined, { timeout: 300_000 });
  const steps = await page.$$eval('li.step', (items) => items.length);
  // The observer must see a long task to be believed: a planted 120 ms task first.
  const probeTaskMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const w = window as unknown as { longest: number };
        w.longest = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) w.longest = Math.max(w.longest, entry.duration);
        }).observe({ type: 'longtask', buffered: false });
        setTimeout(() => {
          const until = performance.now() + 120;
          while (performance.now() < until);
          setTimeout(() => {
            resolve(w.longest);
            w.longest = 0;
          }, 200);
        }, 0);
      }),
  );
  if (probeTaskMs < 100) throw new Error(`the long-task observer missed a planted 120 ms task (saw ${probeTaskMs} ms): the typing measure cannot be trusted`);
  // Edit the first equation (`a1 = W1 x + b1` → `… + 0 * b1`) as a student types, then wait for the worker's answer to be shown.
  await page.click('#equations');
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('End');
  const shown = await page.evaluate(() => Number(document.body.dataset.shown));
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  await page.evaluate(() => performance.mark('bench:typing')); // tells the trace which thread is the page's
  const started = Date.now();
  await page.keyboard.type(' + 0 * b1', { delay: 60 });
  await page.waitForFunction((count) => Number(document.body.dataset.shown) > count && !document.body.classList.contains('busy'), shown, { timeout: 300_000 });
  const shownMs = Date.now() - started;
  const error = await page.textContent('#equation-error');
  if (error) throw new Error(`the edited network does not parse: ${error}`);
  await page.mouse.move(900, 600);
  await page.mouse.wheel(0, 4000); // scroll through the steps: formulas are typeset as they come into view
  await page.waitForTimeout(1500);
  const longestTaskMs = await page.evaluate(() => (window as unknown as { longest: number }).longest);
  typing = { longestTaskMs, longestTaskCpuMs: longestMainTask(await browser.stopTracing(), 'bench:typing').cpuMs, shownMs, steps, probeTaskMs };
} finally {
  await browser.close();
  await site.close();
}
const quietAfter = await probeNoise();
const quiet = quietBefore.quiet && quietAfter.quiet;
const strict = process.argv.includes('--strict');

const drawnMs = summarize(drawn).median;
const blankMs = summarize(blank).median;
const results = [
  { measure: 'page JavaScript, gzipped (without the WASM)', value: pageKb, unit: 'kB', budget: BUDGET.scriptKb },
  { measure: 'Question 3 drawn after navigation (median)', value: drawnMs, unit: 'ms', budget: BUDGET.drawnMs, baseline: blankMs },
  { measure: `longest main-thread task typing on 100 layers (${typing.steps} steps)`, value: typing.longestTaskMs, unit: 'ms', budget: BUDGET.longestTaskMs },
  // The same task budget in CPU time (from a trace of the same typing): what the longest task costs on a free core.
  { measure: '  the same, CPU time of the costliest task (trace)', value: typing.longestTaskCpuMs, unit: 'ms', budget: BUDGET.longestTaskMs },
];
const missed = results.filter((r) => r.value > r.budget);
const phaseMedians = [...phases].map(([name, times]) => ({ name, ms: summarize(times).median })).sort((a, b) => a.ms - b.ms);
// A miss fails the bench on a quiet machine (or with --strict); on a loaded one it is reported, not judged.
const failed = missed.length > 0 && (quiet || strict);
if (wantsJson()) {
  console.log(JSON.stringify({ results, graphvizKb, drawnSamples: drawn, blankSamples: blank, phases: phaseMedians, firstGraphCpu, typing, noise: { before: quietBefore, after: quietAfter }, quiet, ok: missed.length === 0 }, null, 2));
} else {
  printTable([
    ['measure', 'value', 'budget', 'ratio', 'same-run baseline'],
    ...results.map((r) => [r.measure, `${r.value.toFixed(1)} ${r.unit}`, `${r.budget} ${r.unit}`, (r.value / r.budget).toFixed(2), r.baseline === undefined ? '' : `blank page ${r.baseline.toFixed(0)} ms`]),
  ]);
  console.log(`(Graphviz's WASM: ${graphvizKb.toFixed(0)} kB gzipped, fetched by the drawing worker; Q3 samples: ${drawn.map((d) => d.toFixed(0)).join(', ')} ms; typing: result shown ${typing.shownMs} ms after the first key, planted 120 ms task seen as ${typing.probeTaskMs.toFixed(0)} ms)`);
  console.log('Where the time to the first graph goes (median ms after navigation; chainrule: page, draw: drawing worker, engine: engine worker):');
  console.log(`  ${phaseMedians.map((p) => `${p.name} ${p.ms.toFixed(0)}`).join(' → ')}`);
  console.log(`CPU time until Q3 was drawn (one traced load; wall time on a free core is at least the largest): page ${firstGraphCpu.page.toFixed(0)} ms, drawing worker ${firstGraphCpu.drawing.toFixed(0)} ms, engine worker ${firstGraphCpu.engine.toFixed(0)} ms`);
  console.log(describeNoise(quietBefore, 'before'));
  console.log(describeNoise(quietAfter, 'after'));
  if (missed.length === 0) console.log('all within budget');
  else console.log(`over budget: ${missed.map((m) => m.measure).join('; ')}${failed ? '' : ' — on a loaded machine: reported, not judged (rerun on a quiet machine, or --strict)'}`);
}
process.exitCode = failed ? 1 : 0;
