import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** A new tab on the page, waited for until the graph is drawn (unless `graph: false`: a graph too large to draw unasked) and the steps are typeset; errors in the page fail the test that made it. @example const page = await openPage(browser, url) */
export async function openPage(browser: Browser, url: string, { graph = true }: { graph?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  // Waits detect hangs only: a shared, loaded CI machine may take far longer than Playwright's 30 s default.
  page.setDefaultTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  if (graph) await page.waitForSelector('#graph g.node[data-node]');
  await page.waitForSelector('li.step');
  await page.waitForSelector('li.step .katex'); // KaTeX comes after the first graph
  (page as Page & { errors?: string[] }).errors = errors;
  if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
  return page;
}

/** The steps as the page shows them: node id, name, exact value, rounded value. @example (await stepValues(page))[0] // { id: 'u1', name: 'u1', value: [2.55, 3.9, 2.5], … } */
export async function stepValues(page: Page): Promise<{ id: string; name: string; value: unknown; rounded: unknown }[]> {
  return page.$$eval('li.step', (items) =>
    items.map((item) => {
      const data = (item as HTMLElement).dataset;
      return { id: data.node!, name: data.name!, value: JSON.parse(data.value!), rounded: data.rounded === undefined ? undefined : JSON.parse(data.rounded) };
    }),
  );
}

/** axe-core's serious and critical violations on the page, as `rule: target` lines. @example expect(await axeViolations(page)).toEqual([]) */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`);
}
