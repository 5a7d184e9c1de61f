/**
 * The packages as a user outside this repository gets them: `pnpm pack` of every public package,
 * plain `npm install` of the tarballs into an empty folder, then plain Node, a strict TypeScript
 * consumer, a browser bundle in headless Chromium, and the packed CLI. Needs the packages built
 * (`turbo run build`, which `pnpm test` runs first for this package).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Q3_LOSS, Q3_W3_GRADIENT } from '@chainrule/test-support';
import { build } from 'esbuild';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PublicPackage, WORKSPACE, installConsumer, packAll, publicPackages, runIn, tarballFiles, tarballManifest, tarballScripts } from './tarballs.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TSC = path.join(path.dirname(fileURLToPath(import.meta.resolve('typescript'))), '..', 'bin', 'tsc');

let packages: PublicPackage[];
let tarballs: Map<string, string>;
let consumer: string;
let packDir: string;
let typecheck: Promise<string>;

beforeAll(async () => {
  packages = publicPackages();
  // turbo builds what this package depends on before its tests: every public package must be listed.
  const own = JSON.parse(readFileSync(path.join(WORKSPACE, 'packages', 'consumer-tests', 'package.json'), 'utf8'));
  const unlisted = packages.filter((pkg) => !(pkg.name in own.devDependencies)).map((pkg) => pkg.name);
  if (unlisted.length > 0) throw new Error(`packages/consumer-tests/package.json: add ${unlisted.join(', ')} to devDependencies (workspace:*)`);
  for (const pkg of packages) {
    if (!existsSync(path.join(pkg.dir, 'dist'))) throw new Error(`${pkg.name} is not built: run \`pnpm turbo run build\` (or \`pnpm test\`, which builds first)`);
  }
  packDir = mkdtempSync(path.join(os.tmpdir(), 'chainrule-tarballs-'));
  tarballs = await packAll(packages, packDir);
  consumer = await installConsumer(tarballs, ['@types/node@20']);
  for (const file of ['q3.json', 'node-consumer.mjs', 'typed-consumer.ts', 'browser-page.js', 'browser-compute.js', 'compute-worker.js', 'browser-tasks.js']) copyFileSync(path.join(FIXTURES, file), path.join(consumer, file));
  // The strict typecheck is the slowest check (one core for a minute on a loaded machine): it
  // starts now and runs beside the others; its test awaits it.
  writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'] }, files: ['typed-consumer.ts'] }));
  typecheck = runIn(consumer, process.execPath, [TSC, '-p', '.']).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
}, 240_000);

afterAll(async () => {
  await typecheck;
  for (const dir of [consumer, packDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The files an `exports` or `imports` map points at (its values, through every condition). */
function conditionTargets(map: unknown): string[] {
  if (typeof map === 'string') return [map];
  if (typeof map !== 'object' || map === null) return [];
  return Object.values(map).flatMap(conditionTargets);
}

function expectQ3(loss: number, w3: number[][]) {
  expect(loss).toBeCloseTo(Q3_LOSS, 9);
  expect(w3).toHaveLength(2);
  Q3_W3_GRADIENT.forEach((row, i) => row.forEach((value, j) => expect(w3[i]![j]).toBeCloseTo(value, 9)));
}

describe('the tarballs', () => {
  it('hold the built package only: no sources, tests, benches, build logs or configuration', async () => {
    for (const [name, tarball] of tarballs) {
      const files = await tarballFiles(tarball);
      const unwanted = files.filter((file) =>
        /(^|\/)(src|bench|test|tests|fixtures|test-fixtures|\.turbo|node_modules)\//.test(file) ||
        /\.(test|spec|bench)\.[cm]?[jt]s(\.map)?$|\.test\.d\.ts$|\.log$|(^|\/)(tsconfig[^/]*|vitest\.config[^/]*|turbo)\.json$|vitest\.config\.|\.tsbuildinfo$/.test(file) ||
        (/\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file)),
      );
      expect(unwanted, name).toEqual([]);
      expect(files, name).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    }
  });

  it('need no tsx at run time: no module imports it, and the compute workers start from built JavaScript', async () => {
    for (const [name, tarball] of tarballs) {
      for (const [file, code] of await tarballScripts(tarball)) {
        expect(code, `${name}/${file}`).not.toMatch(/\bfrom\s*['"]tsx(\/[^'"]*)?['"]|\bimport\(\s*['"]tsx(\/[^'"]*)?['"]\s*\)/);
      }
    }
    const compute = await tarballScripts(tarballs.get('@chainrule/compute')!);
    // The workspace's tsx bootstrap stays in the workspace; installed, the Node host starts worker-node.js.
    expect([...compute.keys()].filter((file) => /bootstrap/.test(file))).toEqual([]);
    expect([...compute].filter(([, code]) => code.includes('run-from-source')).map(([file]) => file)).toEqual([]);
    expect([...compute.keys()]).toEqual(expect.arrayContaining(['dist/worker-node.js', 'dist/worker-browser.js', 'dist/host-node.js', 'dist/host-browser.js']));
  });

  it('have manifests that point inside themselves: exports, types, bin; no workspace protocol or source condition', async () => {
    for (const [name, tarball] of tarballs) {
      const files = new Set(await tarballFiles(tarball));
      const manifest = await tarballManifest(tarball);
      const text = JSON.stringify(manifest);
      expect(text, name).not.toMatch(/workspace:|@chainrule\/source|\.\/src\//);
      const targets = [manifest.main, manifest.types, ...Object.values((manifest.bin ?? {}) as object), ...conditionTargets(manifest.exports), ...conditionTargets(manifest.imports)];
      for (const target of targets.filter(Boolean)) expect(files.has(String(target).replace(/^\.\//, '')), `${name}: ${target}`).toBe(true);
      for (const key of ['license', 'repository', 'engines', 'keywords', 'files'] as const) expect(manifest[key], `${name}: ${key}`).toBeDefined();
      expect(manifest.sideEffects === false || Array.isArray(manifest.sideEffects), name).toBe(true);
      expect({ ...(manifest.dependencies as object) }, name).not.toHaveProperty('tsx');
    }
  });
});

describe('plain node', () => {
  it('imports every package by name', async () => {
    const names = packages.map((pkg) => pkg.name);
    const script = `for (const name of ${JSON.stringify(names)}) { const m = await import(name); if (Object.keys(m).length === 0) throw new Error(name + ' exports nothing'); } console.log('ok');`;
    const { stdout } = await runIn(consumer, process.execPath, ['--input-type=module', '-e', script]);
    expect(stdout.trim()).toBe('ok');
  });

  it('solves Question 3 with every package (hand-computed loss and ∂L/∂W3), and runs the pool from the built worker', async () => {
    // The pool's workers must start with no tsx anywhere in reach.
    expect(existsSync(path.join(consumer, 'node_modules', 'tsx'))).toBe(false);
    const { stdout } = await runIn(consumer, process.execPath, ['node-consumer.mjs']);
    const out = JSON.parse(stdout);
    expectQ3(out.fromFile.loss, out.fromFile.W3);
    expectQ3(out.fromAssignment.loss, out.fromAssignment.W3);
    expect(out).toMatchObject({ dot: 'digraph', tikz: true, latex: true, firstWrong: null });
    // W3 z1 with z1 = relu(W1 x) = (2.55, 3.9, 2.5): by hand 2.55 + 1.95 + 0.625, 0.51 + 1.17 + 1.
    expect(out.pool.product.flat()).toEqual([expect.closeTo(5.125, 12), expect.closeTo(2.68, 12)]);
    expect(out.pool).toMatchObject({ platform: 'node', sharedMemory: true, started: 1 });
    expect(out.client).toEqual({ requested: 'http://api.test/v1/solutions/q3?format=json', loss: out.fromFile.loss });
  });

  it('runs the packed CLI from built JavaScript: chainrule solve q3, no tsx installed', async () => {
    expect(existsSync(path.join(consumer, 'node_modules', 'tsx'))).toBe(false);
    const { stdout } = await runIn(consumer, path.join(consumer, 'node_modules', '.bin', 'chainrule'), ['solve', 'q3', '--format', 'json']);
    const out = JSON.parse(stdout);
    expectQ3(out.loss, out.gradients.W3);
    const text = await runIn(consumer, process.execPath, [path.join(consumer, 'node_modules', '.bin', 'chainrule'), 'solve', 'q3']);
    expect(text.stdout).toContain('Question 3');
  });
});

/** The ```js blocks of a README, each with the output its `// → ` comments say. */
function readmeExamples(readme: string, label: string): { name: string; file: string; code: string; expected: string[] }[] {
  return [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match, index) => ({
    name: `${label} README example ${index + 1}`,
    file: path.join(consumer, `readme-${label.replace(/\W+/g, '-')}-${index}.mjs`),
    code: match[1]!,
    expected: [...match[1]!.matchAll(/\/\/ → (.*)$/gm)].map((line) => line[1]!.trim()),
  }));
}

/** Runs examples in the consumer folder, each in a process of its own, `concurrency` at a time. */
async function runExamples(examples: ReturnType<typeof readmeExamples>, concurrency = 1): Promise<number> {
  let next = 0;
  const lane = async () => {
    while (next < examples.length) {
      const { name, file, code, expected } = examples[next++]!;
      writeFileSync(file, code);
      const { stdout } = await runIn(consumer, process.execPath, [file]);
      expect(stdout.trim().split('\n').map((line) => line.trim()), name).toEqual(expected);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return examples.length;
}

describe('the READMEs', () => {
  it("of every package have examples that run against the installed package and print what their comments say", async () => {
    // The packages' examples are independent of each other (none writes a file): three at a time.
    const examples = packages.flatMap((pkg) => readmeExamples(readFileSync(path.join(consumer, 'node_modules', pkg.name, 'README.md'), 'utf8'), pkg.name));
    expect(await runExamples(examples, 3)).toBeGreaterThanOrEqual(packages.length - 1);
  }, 600_000);

  it("of the repository: the course-material examples run, on the repository's examples/", async () => {
    mkdirSync(path.join(consumer, 'examples'), { recursive: true });
    copyFileSync(path.join(WORKSPACE, 'examples', 'problem.json'), path.join(consumer, 'examples', 'problem.json'));
    expect(await runExamples(readmeExamples(readFileSync(path.join(WORKSPACE, 'README.md'), 'utf8'), 'repository'))).toBeGreaterThan(0);
    expect(readFileSync(path.join(consumer, 'graph.tex'), 'utf8')).toContain('\\begin{tikzpicture}');
  }, 600_000);
});

describe("the repository's examples/, with the packed CLI", () => {
  const examples = path.join(WORKSPACE, 'examples');
  const cli = (...args: string[]) => runIn(consumer, path.join(consumer, 'node_modules', '.bin', 'chainrule'), args);

  it('alice.json: rounded to two decimals with one slip, which check names (exit 3)', async () => {
    const failed = await cli('check', 'q3', path.join(examples, 'alice.json'), '--round', '2', '--format', 'json').then(
      () => { throw new Error('check exited 0 for a wrong value'); },
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed.code).toBe(3);
    const report = JSON.parse(failed.stdout);
    expect(report.firstWrong).toBe('∂L/∂W3');
    expect(report.counts).toMatchObject({ wrong: 1, missing: 0 });
  });

  it('submissions/: a class, graded with a CSV summary', async () => {
    const csv = path.join(consumer, 'class.csv');
    await cli('check', 'q3', path.join(examples, 'submissions'), '--round', '2', '--csv', csv).catch((error: { code: number }) => expect(error.code).toBe(3));
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows.map((row) => row.split(',').slice(0, 3).join(','))).toEqual(['id,points,max_points', 'alice,6,7', 'bob,7,7', 'carol,2,7']);
  });

  it('problem.json and slides-73-74.json: a problem file and a layered network the CLI solves', async () => {
    const backprop = JSON.parse((await cli('backprop', path.join(examples, 'problem.json'), '--format', 'json')).stdout);
    expectQ3(backprop.loss, backprop.gradients.W3);
    const q1 = JSON.parse((await cli('solve', 'q1', '--network', path.join(examples, 'slides-73-74.json'), '--format', 'json')).stdout);
    expect(Object.keys(q1.gradients).sort()).toEqual(['W1', 'W2', 'b1', 'b2']);
  });
});

describe('a strict TypeScript consumer', () => {
  it('typechecks with tsc --strict --module nodenext against the installed .d.ts files', async () => {
    expect(await typecheck).toBe('');
  }, 240_000);
});

describe('a browser', () => {
  // One esbuild run for both pages (code splitting: the compute worker and the task module share
  // the tensor chunk, so a ChainruleError thrown by a task is the worker's own class).
  const ENTRIES = ['browser-page.js', 'browser-compute.js', 'compute-worker.js', 'browser-tasks.js'];
  let files: Map<string, Uint8Array>;
  let inputs: string[];
  let server: ReturnType<typeof createServer>;
  let origin: string;
  let browser: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: ENTRIES.map((entry) => path.join(consumer, entry)), absWorkingDir: consumer, bundle: true, write: false,
      splitting: true, outdir: path.join(consumer, 'www'), format: 'esm', platform: 'browser', target: 'es2022', metafile: true, logLevel: 'silent',
    });
    inputs = Object.keys(bundle.metafile.inputs);
    files = new Map(bundle.outputFiles.map((file) => [`/${path.relative(path.join(consumer, 'www'), file.path)}`, file.contents]));
    // /isolated/… is served cross-origin isolated (COOP + COEP): SharedArrayBuffer exists there.
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const isolated = url.pathname.startsWith('/isolated/');
      const name = isolated ? url.pathname.slice('/isolated'.length) : url.pathname;
      const headers: Record<string, string> = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
      const script = files.get(name);
      const page = /\/([\w-]+)\.html$/.exec(name);
      if (script) response.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(script);
      else if (page) response.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(`<!doctype html><meta charset="utf-8"><title>chainrule</title><script type="module" src="${page[1]}.js"></script>`);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'chainrule-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Opens a page and returns the JSON it prints after `prefix`, with the page's errors. */
  async function printedBy(url: string, prefix: string): Promise<{ out: Record<string, any>; errors: string[] }> {
    const tab = await browser.newPage();
    try {
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(String(error)));
      const printed = tab.waitForEvent('console', { predicate: (message) => message.text().startsWith(`${prefix} `), timeout: 300_000 });
      printed.catch(() => {}); // awaited below, unless goto fails first
      await tab.goto(`${origin}${url}`);
      return { out: JSON.parse((await printed).text().slice(prefix.length + 1)), errors };
    } finally {
      await tab.close();
    }
  }

  it('bundles nothing of Node and no workspace source', () => {
    expect(inputs.filter((input) => input.startsWith('node:') || input.includes('/src/'))).toEqual([]);
    // The compute package's browser build only: its Node host and thread worker stay out.
    const compute = inputs.filter((input) => input.includes('@chainrule/compute/'));
    expect(compute.map((input) => path.basename(input)).sort()).toEqual(expect.arrayContaining(['host-browser.js', 'worker-browser.js']));
    expect(compute.filter((input) => /host-node|worker-node/.test(input))).toEqual([]);
  });

  it('runs a page bundled by esbuild from graph, problem, solutions and grader, and prints the Q3 gradients', async () => {
    const { out, errors } = await printedBy('/browser-page.html', 'chainrule');
    expect(errors).toEqual([]);
    expectQ3(out.loss, out.gradients.W3);
    expect(out.firstWrong).toBeNull();
    expect(out.markdown).toBeGreaterThan(1000);
  }, 600_000);

  it("runs the repository README's browser compute example (```js browser blocks) and prints what its comments say", async () => {
    const blocks = [...readFileSync(path.join(WORKSPACE, 'README.md'), 'utf8').matchAll(/```js browser\n([\s\S]*?)```/g)].map((match) => match[1]!);
    const dir = path.join(consumer, 'readme-browser');
    mkdirSync(dir, { recursive: true });
    const entries = blocks.map((code) => {
      const name = /^\/\/ ([\w-]+\.js)/.exec(code)?.[1];
      if (!name) throw new Error(`a \`\`\`js browser block of the README must start with its file name: // name.js\n${code}`);
      writeFileSync(path.join(dir, name), code);
      return path.join(dir, name);
    });
    expect(entries.map((entry) => path.basename(entry))).toContain('page.js');
    const bundle = await build({
      entryPoints: entries, absWorkingDir: consumer, bundle: true, write: false, splitting: true, outdir: path.join(dir, 'www'),
      format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'silent',
    });
    for (const file of bundle.outputFiles) files.set(`/readme/${path.relative(path.join(dir, 'www'), file.path)}`, file.contents);
    const expected = blocks.flatMap((code) => [...code.matchAll(/\/\/ → (.*)$/gm)].map((match) => match[1]!.trim()));
    const tab = await browser.newPage();
    try {
      const errors: string[] = [];
      const printed: string[] = [];
      tab.on('pageerror', (error) => errors.push(String(error)));
      tab.on('console', (message) => {
        if (message.type() === 'log') printed.push(message.text());
      });
      await tab.goto(`${origin}/readme/page.html`);
      // Until every expected line is printed, or the page fails (the test's timeout catches a hang).
      while (printed.length < expected.length && errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(errors).toEqual([]);
      expect(printed).toEqual(expected);
    } finally {
      await tab.close();
    }
  }, 600_000);

  for (const isolated of [false, true]) {
    const where = isolated ? 'a cross-origin isolated page (shared memory)' : 'a page that is not cross-origin isolated (copies)';
    it(`runs the compute pool on Web Workers in ${where}: matmul, tasks, timeout, crash, abort, close`, async () => {
      const { out, errors } = await printedBy(`${isolated ? '/isolated' : ''}/browser-compute.html`, 'chainrule-compute');
      expect(errors).toEqual([]);
      expect(out).toMatchObject({ platform: 'browser', sharedMemory: isolated, isolated });
      expect(out.large.shared).toBe(isolated);
      // By hand: [1 2; 3 4; 5 6] [1 0.5; -1 2].
      expect(out.small).toEqual([[-1, 4.5], [-1, 9.5], [-1, 14.5]]);
      // Independently: a plain triple loop over the operands the page used.
      const { a, b, c } = out.large as { a: number[][]; b: number[][]; c: number[][] };
      expect(c).toHaveLength(a.length);
      c.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(b.reduce((sum, bRow, p) => sum + a[i]![p]! * bRow[j]!, 0), 12)));
      expect(out.moments).toEqual({ sum: 10.5, squares: 1 + 4 + 9 + 20.25, inWorker: true });
      expect(out.parts.map((part: { sum: number; squares: number }) => [part.sum, part.squares])).toEqual([[1, 1], [4, 8], [-3, 9]]);
      expect(out.transferred).toEqual({ inputLength: 0, squares: [1, 4, 9], sum: 6, isFloat64: true });
      expect(out.failed.error).toMatchObject({ name: 'ChainruleError', code: 'problem', location: { path: ['values', 0] }, message: 'a value is wrong' });
      expect(out.timedOut.error).toMatchObject({ reason: 'timeout', message: 'spin timed out after 200 ms; its worker was terminated and replaced' });
      expect(out.crashed.error).toMatchObject({ reason: 'crashed', message: expect.stringMatching(/^debug failed: the worker crashed \(.*uncaught error on request \(1\).*\); it was replaced$/) });
      expect(out.aborted.error).toMatchObject({ reason: 'aborted', message: 'spin was aborted while running; its worker was terminated and replaced' });
      expect(out.after).toEqual({ sum: 2, squares: 4, inWorker: true });
      expect(out.stats).toMatchObject({ size: 2, replaced: 3, active: 0, queued: 0, closed: false });
      expect(out.closed.error).toMatchObject({ reason: 'closed' });
      expect(out.noWorker.error).toMatchObject({ reason: 'crashed', message: expect.stringMatching(/^moments failed: a worker failed to start \(the worker module could not be loaded .*`worker` URL of createPool\)/) });
    }, 600_000);
  }
});
