/**
 * One fresh tab opening the page, until Question 3 is drawn: what the page bench and the build
 * comparison measure. The time is the performance mark `chainrule:drawn` (ms after navigation);
 * every start mark of the page and its workers can be collected (where the time goes), and the
 * load can be traced for the CPU time each thread spent until the graph was drawn.
 */
import type { Browser } from 'playwright-core';
import { TRACE_CATEGORIES, cpuUntil } from './trace.ts';

/** What one load gives. */
export interface FirstGraph {
  /** Milliseconds from navigation to `chainrule:drawn`. */
  drawnMs: number;
  /** CPU time each thread spent until then (traced loads only), ms. */
  cpu?: Record<'page' | 'drawing' | 'engine', number>;
}

// Strings, not functions: tsx's keepNames would wrap a function in a helper the page does not have.
// The mark is awaited with a PerformanceObserver in one evaluation, not with waitForFunction: that first injects
// Playwright's selector engine into the page (some 20 ms of the main thread's CPU, while the page starts).
const DRAWN = `new Promise((resolve) => {
  const drawn = () => performance.getEntriesByName('chainrule:drawn')[0];
  if (drawn()) return resolve(drawn().startTime);
  new PerformanceObserver((_list, observer) => {
    if (!drawn()) return;
    observer.disconnect();
    resolve(drawn().startTime);
  }).observe({ type: 'mark' });
})`;

/** `promise`, or an error after `ms` (a hang fails the run instead of stalling it). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
const READ_MARKS = '({ origin: performance.timeOrigin, marks: performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]) })';

/**
 * Opens `url` in a new context and waits for the first graph; with `marks`, adds every mark of the
 * page and its workers to it (ms after the page's navigation, by name); with `trace`, reads the CPU
 * time per thread from a Chromium trace of the load.
 *
 * @example const { drawnMs } = await openUntilDrawn(browser, site.url, { marks: phases })
 */
export async function openUntilDrawn(browser: Browser, url: string, { marks, trace = false }: { marks?: Map<string, number[]>; trace?: boolean } = {}): Promise<FirstGraph> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    if (trace) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    await page.goto(url);
    const drawnMs = (await within(page.evaluate(DRAWN), 60_000, `the first graph of ${url}`)) as number;
    const cpu = trace ? cpuUntil(await browser.stopTracing(), 'chainrule:drawn') : undefined;
    if (marks) {
      await page.waitForFunction('performance.getEntriesByName("chainrule:steps-shown").length > 0', undefined, { timeout: 60_000 });
      const threads = (await Promise.all([page.evaluate(READ_MARKS), ...page.workers().map((worker) => worker.evaluate(READ_MARKS))])) as { origin: number; marks: [string, number][] }[];
      const origin = threads[0]!.origin;
      for (const thread of threads) for (const [name, time] of thread.marks) marks.set(name, [...(marks.get(name) ?? []), thread.origin + time - origin]);
    }
    return { drawnMs, cpu };
  } finally {
    await context.close();
  }
}
