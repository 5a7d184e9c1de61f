/**
 * The page in a real browser (Debian's Chromium through playwright-core), loaded from the static
 * build the way a course website serves it (in a sub-folder). Numbers are checked against the
 * CLI and against Question 3 computed by hand; screenshots go to test-results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateDot } from '@chainrule/export';
import { q3ByHand } from '@chainrule/test-support';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Q3_FILE, RESULTS, cli, launch, serveStatic } from './harness.ts';
import { axeViolations, openPage, stepValues } from './page-helpers.ts';
import { decodeState } from '../src/share.ts';

let site: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let page: Page;
let cliGraph: { nodes: { id: string; kind: string }[] };
let cliSolution: { steps: { id: string; name: string; value: unknown; rounded: unknown }[] };

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  [site, browser, cliGraph, cliSolution] = await Promise.all([
    serveStatic('/courses/deep-learning/chainrule/'),
    launch(),
    cli(['graph', Q3_FILE, '--gradients', '--format', 'json']).then(JSON.parse),
    cli(['solve', 'q3', '--format', 'json']).then(JSON.parse),
  ]);
  page = await openPage(browser, site.url);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

// From the top: a full-page shot of a scrolled page draws the sticky editor where the scroll left it.
// Every formula typeset first: KaTeX works in slices, and a shot taken between two shows an empty card.
const shot = async (name: string) => {
  await page.waitForFunction(() => !document.querySelector('.typesetting'));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(RESULTS, name), fullPage: true });
};

describe('the page, from the static build', () => {
  it('opens on Question 3 and draws the 21 nodes the CLI has (forward and gradient)', async () => {
    expect(cliGraph.nodes).toHaveLength(21);
    const drawn = await page.$$eval('#graph g.node[data-node]', (nodes) => nodes.map((n) => (n as SVGGElement).dataset.node!));
    expect(drawn.sort()).toEqual(cliGraph.nodes.map((n) => n.id).sort());
    expect(await page.$$eval('#graph g.node.gradient.added', (nodes) => nodes.length)).toBe(cliGraph.nodes.filter((n) => n.kind === 'gradient').length);
    await shot('q3-open.png');
  });

  it('shows every step with the values of the CLI, and the gradients a hand computation gives', async () => {
    const steps = await stepValues(page);
    const reference = cliSolution.steps;
    // The same steps in the same order (by node id: the CLI names them in Unicode, u₁, the page as typed, u1).
    expect(steps.map((s) => s.id)).toEqual(reference.map((s) => s.id));
    // Each step's head names it as the CLI prints it, in the sheet's notation (u₁, ∂L/∂W₃), not as typed (u1).
    const heads = await page.$$eval('li.step .step-head .name', (names) => names.map((n) => n.textContent));
    expect(heads).toEqual(reference.map((s) => s.name));
    expect(heads).toContain('∂L/∂z₂');
    steps.forEach((step, i) => {
      expect(step.value, step.id).toEqual(reference[i]!.value);
      expect(step.rounded, step.id).toEqual(reference[i]!.rounded);
    });
    const byHand = q3ByHand();
    const exact = Object.fromEntries(steps.map((s) => [s.name, s.value as number[][]]));
    for (const [name, expected] of [
      ['∂L/∂W1', byHand.dW1],
      ['∂L/∂W2', byHand.dW2],
      ['∂L/∂W3', byHand.dW3],
    ] as const) {
      exact[name]!.flat().forEach((v, k) => expect(v).toBeCloseTo(expected.flat()[k]!, 10));
    }
    const rounded = q3ByHand({ round: 2 });
    const shownL = await page.textContent('li.step[data-node="L"] .block');
    expect(shownL).toContain(String(rounded.L));
  });

  it('opens the step of a clicked node and lights up the path from the loss to it', async () => {
    await page.click('#graph g.node[data-node="dL/dW1"]');
    await page.waitForSelector('li.step.open[data-node="dL/dW1"]');
    const lit = await page.$$eval('#graph g.node.on-path', (nodes) => nodes.map((n) => (n as SVGGElement).dataset.node!).sort());
    // W1 → u1 → z1 → u3 → y → L, and the gradient of each of them.
    expect(lit).toEqual(['L', 'W1', 'dL/dW1', 'dL/du1', 'dL/du3', 'dL/dy', 'dL/dz1', 'u1', 'u3', 'y', 'z1'].sort());
    expect(await page.$$eval('#graph g.edge.on-path', (edges) => edges.length)).toBeGreaterThanOrEqual(10);
    await page.waitForSelector('li.step.open[data-node="dL/dW1"] .chain .katex');
    await shot('q3-path-to-W1.png');
    // A step's head selects its node in the graph.
    await page.click('li.step[data-node="u2"] .step-head');
    await page.waitForSelector('#graph g.node.selected[data-node="u2"]');
    // From the keyboard, a given leaf opens its gradient's step: W1 → ∂L/∂W1, with the same path lit.
    await page.focus('#graph g.node[data-node="W1"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('li.step.open[data-node="dL/dW1"]');
    expect(await page.$$eval('#graph g.node.on-path', (nodes) => nodes.length)).toBe(11);
    expect(await page.textContent('#status')).toContain('W₁ is given, not computed: its gradient ∂L/∂W₁ is step 16');
  });

  it('marks a planted slip in practice mode and carries it forward', async () => {
    // The previous test left ∂L/∂W₁'s path lit: practice starts clean.
    expect(await page.$$eval('#graph g.node.on-path', (nodes) => nodes.length)).toBe(11);
    await page.click('#tab-practice');
    await page.waitForSelector('li.step[data-node="u1"] .answer input');
    expect(await page.$$eval('#graph g.node.on-path, #graph g.node.selected, li.step.open', (nodes) => nodes.length)).toBe(0);
    expect(await page.textContent('#status')).toMatch(/^Practice: 16 steps/);
    expect(await page.textContent('label[for="answer-0"]')).toBe('your u₁');
    await page.fill('li.step[data-node="u1"] .answer input', '2.55, 4, 2.5');
    await page.press('li.step[data-node="u1"] .answer input', 'Enter');
    // z1 = ReLU of the student's own u1: right from their earlier value.
    await page.fill('li.step[data-node="z1"] .answer input', '2.55 4 2.5');
    await page.press('li.step[data-node="z1"] .answer input', 'Enter');
    await page.fill('li.step[data-node="u2"] .answer input', '3.7, 3.25');
    await page.press('li.step[data-node="u2"] .answer input', 'Enter');
    // Each answer is graded on its own round trip to the worker: wait for the one that graded u2.
    await page.waitForSelector('li.step[data-node="u2"][data-status="correct"]');
    expect(await page.getAttribute('li.step[data-node="z1"]', 'data-status')).toBe('carried');
    expect(await page.getAttribute('li.step[data-node="u1"]', 'data-status')).toBe('wrong');
    expect(await page.textContent('li.step[data-node="u1"] .verdict')).toContain('off by up to 0.1');
    expect(await page.textContent('#practice-summary .first-wrong')).toBe('first wrong step: u₁ (step 1, line 7)');
    expect(await page.textContent('#practice-summary .points')).toMatch(/^[\d.]+ \/ 7 points$/);
    await shot('q3-practice-slip.png');
  });

  it('exports DOT that Graphviz accepts', async () => {
    await page.selectOption('#download-format', 'dot');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const file = await download.path();
    const dot = readFileSync(file, 'utf8');
    expect(download.suggestedFilename()).toBe('chainrule-graph.dot');
    expect(dot).toMatch(/^digraph /);
    await expect(validateDot(dot)).resolves.toBeUndefined();
    for (const node of cliGraph.nodes) expect(dot).toContain(`"${node.id}"`);
  });

  it('shows a parse error at its line and column while typing', async () => {
    await page.click('#tab-solution');
    const before = await page.inputValue('#equations');
    await page.fill('#equations', 'L = 1/2 ||y - yhat||^2\ny = W x +\n');
    await page.waitForSelector('#equation-error:not([hidden])');
    expect(await page.textContent('#equation-error')).toMatch(/^line 2, column \d+: /);
    expect(await page.textContent('#gutter .bad')).toBe('2');
    await shot('parse-error.png');
    await page.fill('#equations', before);
    await page.waitForSelector('#equation-error', { state: 'hidden' });
  });

  it('keeps the whole state in the link', async () => {
    await page.check('#simplify');
    try {
      await page.waitForFunction(() => Number(document.querySelector('#graph')?.getAttribute('data-nodes')) < 21);
      // The hash follows the state after a short pause: read back here until it holds the switch.
      const linked = async () => {
        const state = await decodeState(new URL(page.url()).hash);
        return typeof state === 'object' && state.view.simplify;
      };
      await expect.poll(linked, { timeout: 120_000, interval: 100 }).toBe(true);
      const link = page.url();
      const other = await openPage(browser, link);
      expect(await other.isChecked('#simplify')).toBe(true);
      expect(await other.inputValue('#equations')).toBe(await page.inputValue('#equations'));
      expect(await other.getAttribute('#graph', 'data-nodes')).toBe(await page.getAttribute('#graph', 'data-nodes'));
      await other.close();
    } finally {
      await page.uncheck('#simplify'); // the next tests expect the full graph
    }
  });

  it('loads a problem file and works it', async () => {
    const problem = { equations: ['L = 1/2 ||y - t||^2', 'y = W x'], values: { W: [[1, 2]], x: [1, 1], t: [0] }, wrt: ['W'], roles: { t: 'target' } };
    await page.setInputFiles('#load-file', { name: 'tiny.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(problem)) });
    await page.waitForFunction(() => document.querySelectorAll('li.step').length === 4);
    const steps = await stepValues(page);
    // by hand: y = 1·1 + 2·1 = 3, L = 4.5, ∂L/∂y = 3, ∂L/∂W = 3 xᵀ = [[3, 3]]
    expect(Object.fromEntries(steps.map((s) => [s.name, s.value]))).toEqual({ y: [3], L: 4.5, '∂L/∂y': [3], '∂L/∂W': [[3, 3]] });
  });

  it('loads each of Assignment 9\'s questions and draws new numbers', async () => {
    await page.click('[data-preset="q1"]');
    await page.waitForFunction(() => document.querySelector('#preset-note')?.textContent?.includes('stand-in'));
    await page.waitForSelector('li.step[data-node="dL/dW1"]');
    await page.click('[data-preset="q2"]');
    await page.waitForFunction(() => (document.querySelector('#equations') as HTMLTextAreaElement).value.startsWith('\\begin{aligned}'));
    await page.waitForFunction(() => document.querySelector('#graph')?.getAttribute('data-nodes') === '21');
    await page.click('[data-preset="q3"]');
    await page.waitForFunction(() => document.querySelector('li.step[data-node="u1"]')?.getAttribute('data-value') === '[2.55,3.9,2.5]');
    await page.click('#new-numbers');
    await page.waitForFunction(() => document.querySelector('li.step[data-node="u1"]')?.getAttribute('data-value') !== '[2.55,3.9,2.5]');
    const values = await page.$$eval('#values .matrix input', (inputs) => inputs.map((i) => Number((i as HTMLInputElement).value)));
    expect(values.every(Number.isFinite)).toBe(true);
    // The panel shows the new numbers: u1 = W1 x, multiplied out here from the cells on screen.
    const cells = (leaf: string) => page.$$eval(`#values input[data-leaf="${leaf}"]`, (inputs) => inputs.map((i) => Number((i as HTMLInputElement).value)));
    const [w1, x] = [await cells('W1'), await cells('x')];
    const u1 = JSON.parse((await page.getAttribute('li.step[data-node="u1"]', 'data-value'))!) as number[];
    u1.forEach((value, row) => expect(value).toBeCloseTo(x.reduce((sum, xj, j) => sum + w1[row * x.length + j]! * xj, 0), 9));
    expect(await page.textContent('#preset-note')).toMatch(/^New (random )?numbers of the same shapes/);
    // No formula is cut off at its card's edge (new numbers make long substitutions): a step too wide for its column
    // gets the whole row (and one wider than that scrolls within it).
    const cutOff = () =>
      page.$$eval('li.step .block', (blocks) =>
        blocks.filter((b) => b.querySelector('.katex') === null || (b.scrollWidth > b.clientWidth + 1 && !b.closest('li.step')!.classList.contains('wide'))).map((b) => b.closest('li.step')!.getAttribute('data-node')),
      );
    await expect.poll(cutOff, { timeout: 120_000, interval: 200 }).toEqual([]);
    await shot('q3-new-numbers.png');
  });

  it('keeps every card drawn while new numbers are typeset, on screen and in a full-page picture', async () => {
    // A short window, so most cards are far below it (Chromium leaves content-visibility: auto content unrendered
    // beyond 1.5 windows: the last card of Q3 was an empty frame in the full-page screenshot after new numbers).
    await page.setViewportSize({ width: 1400, height: 600 });
    try {
      await page.evaluate(() => window.scrollTo(0, 0));
      const before = await page.getAttribute('li.step[data-node="dL/dW1"]', 'data-value');
      // Every frame until the new numbers are typeset: the cards shown that hold LaTeX source, or whose formula is not rendered.
      await page.evaluate(`(() => {
        window.cardFrames = [];
        const sample = () => {
          const shown = [...document.querySelectorAll('li.step:not([hidden])')];
          window.cardFrames.push({
            source: shown.filter((item) => item.querySelector('.math.block.typesetting')).map((item) => item.dataset.node),
            unrendered: shown.filter((item) => !item.querySelector('.math.block').checkVisibility({ contentVisibilityAuto: true })).map((item) => item.dataset.node),
            done: document.querySelector('li.step[data-node="dL/dW1"]').dataset.value !== ${JSON.stringify(before)} && !document.querySelector('.typesetting'),
          });
          if (!window.cardFrames.at(-1).done) requestAnimationFrame(sample);
        };
        requestAnimationFrame(sample);
      })()`);
      await page.click('#new-numbers');
      await page.waitForFunction(() => (window as unknown as { cardFrames: { done: boolean }[] }).cardFrames.at(-1)?.done, undefined, { timeout: 120_000 });
      const frames = await page.evaluate(() => (window as unknown as { cardFrames: { source: string[]; unrendered: string[] }[] }).cardFrames);
      expect(frames.length).toBeGreaterThan(1);
      expect(frames.filter((f) => f.source.length > 0), 'frames with a card showing LaTeX source').toEqual([]);
      expect(frames.filter((f) => f.unrendered.length > 0), 'frames with a card left unrendered').toEqual([]);
      // Each card once, with its new formula typeset.
      expect(await page.$$eval('li.step', (items) => items.filter((item) => !(item as HTMLElement).hidden && item.querySelector('.block .katex')).length)).toBe(16);
      expect(await page.$$eval('li.step', (items) => items.length)).toBe(16);
      // The value editors of a network this small are all rendered too (the panel scrolls; nothing in it is left out).
      expect(await page.$$eval('#values .leaf', (leaves) => leaves.filter((leaf) => !leaf.querySelector('input')!.checkVisibility({ contentVisibilityAuto: true })).length)).toBe(0);
      await page.screenshot({ path: path.join(RESULTS, 'q3-new-numbers-short-window.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });

  it('has no serious or critical accessibility violation (axe-core)', async () => {
    await page.click('[data-preset="q3"]');
    await page.waitForSelector('li.step[data-node="u1"]');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('#tab-practice');
    await page.waitForSelector('li.step .answer input');
    expect(await axeViolations(page)).toEqual([]);
  });
});
