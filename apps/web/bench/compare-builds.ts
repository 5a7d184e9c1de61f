/**
 * Two or more builds of the page, opened in turn (interleaved, fresh tabs, one Chromium): the time
 * until Question 3 is drawn, where it goes (every start mark) and, every fourth round, the CPU time
 * per thread. On the shared machine wall times swing with the others' load; builds measured in
 * the same rounds see the same load, so their ratio is what to judge a change by.
 *
 *   NODE_OPTIONS=--conditions=@chainrule/source npx tsx bench/compare-builds.ts before=/tmp/dist-before after=dist [--runs 12] [--json]
 *
 * (A build of an older commit: `git archive <commit> apps/web | tar -x -C /tmp/old`, link its
 * `node_modules` to this folder's, `npx vite build --outDir /tmp/dist-before` there.)
 */
import path from 'node:path';
import { printTable, summarize, wantsJson } from '@chainrule/bench';
import { WEB_ROOT, launch, serveStatic } from '../test/harness.ts';
import { type FirstGraph, openUntilDrawn } from './first-graph.ts';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 12;
const builds = argv.filter((a, i) => a.includes('=') && (runsAt < 0 || i !== runsAt + 1)).map((a) => {
  const [name, folder] = a.split('=') as [string, string];
  return { name, root: path.resolve(WEB_ROOT, folder) };
});
if (builds.length < 2 || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: compare-builds.ts <name>=<build folder> <name>=<build folder> … [--runs N]');
  process.exit(2);
}

const sites = await Promise.all(builds.map((build) => serveStatic('/', build.root)));
const browser = await launch();
const results = builds.map(() => ({ loads: [] as FirstGraph[], marks: new Map<string, number[]>() }));
try {
  for (const site of sites) await openUntilDrawn(browser, site.url); // warm the servers' file caches and Chromium's
  for (let round = 0; round < runs; round++) {
    // Alternate the order, so neither build always opens right after the other.
    const order = builds.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) results[i]!.loads.push(await openUntilDrawn(browser, sites[i]!.url, { marks: results[i]!.marks, trace: round % 4 === 3 }));
  }
} finally {
  await browser.close();
  for (const site of sites) await site.close();
}

const medianOf = (values: number[]) => summarize(values).median;
const baseline = medianOf(results[0]!.loads.map((l) => l.drawnMs));
const report = builds.map((build, i) => {
  const { loads, marks } = results[i]!;
  const drawn = loads.map((l) => l.drawnMs);
  const cpu = loads.flatMap((l) => (l.cpu ? [l.cpu] : []));
  return {
    build: build.name,
    drawnMedianMs: medianOf(drawn),
    ratio: medianOf(drawn) / baseline,
    drawnSamples: drawn,
    marks: [...marks].map(([name, times]) => ({ name, ms: medianOf(times) })).sort((a, b) => a.ms - b.ms),
    cpu,
  };
});
if (wantsJson()) console.log(JSON.stringify(report, null, 2));
else {
  printTable([['build', 'Q3 drawn (median)', `ratio to ${builds[0]!.name}`, 'samples'], ...report.map((r) => [r.build, `${r.drawnMedianMs.toFixed(0)} ms`, r.ratio.toFixed(2), r.drawnSamples.map((d) => d.toFixed(0)).join(', ')])]);
  for (const r of report) {
    console.log(`${r.build}: ${r.marks.map((m) => `${m.name} ${m.ms.toFixed(0)}`).join(' → ')}`);
    console.log(`  CPU until drawn (traced loads): ${r.cpu.map((c) => `page ${c.page.toFixed(0)}, drawing ${c.drawing.toFixed(0)}, engine ${c.engine.toFixed(0)} ms`).join(' | ')}`);
  }
}
