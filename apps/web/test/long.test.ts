/**
 * A long solution in a real browser: a 30-layer network's steps are all listed with the CLI's
 * values, but a step is built (formulas, answer field) only when it comes near the screen or is
 * opened, so no single task builds hundreds of formulas.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layeredProblemState, layeredState } from '../bench/layered.ts';
import { cli, launch, serveStatic } from './harness.ts';
import { openPage, stepValues } from './page-helpers.ts';

const DEPTH = 30;
let site: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let page: Page;
let reference: { steps: { id: string; name: string; value: unknown }[] };

beforeAll(async () => {
  const problem = layeredProblemState(DEPTH);
  const file = path.join(tmpdir(), `chainrule-web-layered-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ ...problem, equations: problem.equations.split('\n') }));
  [site, browser, reference] = await Promise.all([serveStatic('/'), launch(), cli(['backprop', file, '--format', 'json']).then(JSON.parse)]);
  // Too many nodes to lay out without asking: the page offers "Draw it" instead of a graph.
  page = await openPage(browser, `${site.url}${await layeredState(DEPTH)}`, { graph: false });
  await page.waitForSelector('#graph-big:not([hidden])');
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('a long solution (30 layers)', () => {
  it('lists every step with the CLI\'s values, building only the steps near the screen', async () => {
    expect(reference.steps.length).toBeGreaterThan(150);
    const steps = await stepValues(page);
    expect(steps.map((s) => s.id)).toEqual(reference.steps.map((s) => s.id));
    // float64 after σ: equal to the CLI's to the last digits (the CLI's JSON and the page's may differ in the last bit).
    const flat = (value: unknown): number[] => (Array.isArray(value) ? value.flat(2) : [value]) as number[];
    steps.forEach((step, i) => flat(step.value).forEach((v, k) => expect(v, step.id).toBeCloseTo(flat(reference.steps[i]!.value)[k]!, 12)));
    expect(await page.$$eval('li.step .step-head .name', (names) => names.map((n) => n.textContent))).toEqual(reference.steps.map((s) => s.name));
    // The first steps are on screen and built; the last ones are not built yet.
    await page.waitForSelector(`li.step[data-node="${reference.steps[0]!.id}"] .block .katex`);
    const last = reference.steps.at(-1)!.id;
    expect(await page.$eval(`li.step[data-node="${last}"]`, (item) => item.classList.contains('unmade') && item.querySelector('.block') === null)).toBe(true);
    expect(await page.$$eval('li.step.unmade', (items) => items.length)).toBeGreaterThan(reference.steps.length / 2);
  });

  it('builds a far step when it is opened, and practice fields as they come near the screen', async () => {
    const last = reference.steps.at(-1)!;
    await page.click(`li.step[data-node="${last.id}"] .step-head`);
    await page.waitForSelector(`li.step.open[data-node="${last.id}"] .block .katex`);
    await page.click('#tab-practice');
    await page.waitForSelector(`li.step[data-node="${reference.steps[0]!.id}"] .answer input`);
    expect(await page.$$eval('.answer input', (inputs) => inputs.length)).toBeLessThan(reference.steps.length / 2);
    // Enter in a field moves on to the next step's field, built for it if it was not yet.
    const first = reference.steps[0]!;
    await page.fill(`li.step[data-node="${first.id}"] .answer input`, (first.value as number[]).join(', '));
    await page.press(`li.step[data-node="${first.id}"] .answer input`, 'Enter');
    await page.waitForSelector(`li.step[data-node="${first.id}"][data-status="correct"]`);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.node)).toBe(reference.steps[1]!.id);
  });
});
