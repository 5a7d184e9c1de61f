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
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PublicPackage, WORKSPACE, installConsumer, packAll, publicPackages, runIn, tarballFiles, tarballManifest } from './tarballs.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TSC = path.join(path.dirname(fileURLToPath(import.meta.resolve('typescript'))), '..', 'bin', 'tsc');

let packages: PublicPackage[];
let tarballs: Map<string, string>;
let consumer: string;
let packDir: string;

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
  for (const file of ['q3.json', 'node-consumer.mjs', 'typed-consumer.ts', 'browser-page.js']) copyFileSync(path.join(FIXTURES, file), path.join(consumer, file));
}, 240_000);

afterAll(() => {
  for (const dir of [consumer, packDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

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

  it('have manifests that point inside themselves: exports, types, bin; no workspace protocol or source condition', async () => {
    for (const [name, tarball] of tarballs) {
      const files = new Set(await tarballFiles(tarball));
      const manifest = await tarballManifest(tarball);
      const text = JSON.stringify(manifest);
      expect(text, name).not.toMatch(/workspace:|@chainrule\/source|\.\/src\//);
      const targets = [manifest.main, manifest.types, ...Object.values((manifest.bin ?? {}) as object), ...JSON.stringify(manifest.exports).match(/"\.\/[^"]+"/g)!.map((t) => JSON.parse(t))];
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
    const { stdout } = await runIn(consumer, process.execPath, ['node-consumer.mjs']);
    const out = JSON.parse(stdout);
    expectQ3(out.fromFile.loss, out.fromFile.W3);
    expectQ3(out.fromAssignment.loss, out.fromAssignment.W3);
    expect(out).toMatchObject({ dot: 'digraph', tikz: true, latex: true, firstWrong: null });
    // W3 z1 with z1 = relu(W1 x) = (2.55, 3.9, 2.5): by hand 2.55 + 1.95 + 0.625, 0.51 + 1.17 + 1.
    expect(out.pool.product.flat()).toEqual([expect.closeTo(5.125, 12), expect.closeTo(2.68, 12)]);
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

/** Runs each ```js block of a README in the consumer folder; its `// → ` comments are the output. */
async function runReadmeExamples(readme: string, label: string): Promise<number> {
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
  for (const [index, code] of blocks.entries()) {
    const file = path.join(consumer, `readme-${label.replace(/\W+/g, '-')}-${index}.mjs`);
    writeFileSync(file, code);
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((match) => match[1]!.trim());
    const { stdout } = await runIn(consumer, process.execPath, [file]);
    expect(stdout.trim().split('\n').map((line) => line.trim()), `${label} README example ${index + 1}`).toEqual(expected);
  }
  return blocks.length;
}

describe('the READMEs', () => {
  it("of every package have examples that run against the installed package and print what their comments say", async () => {
    let examples = 0;
    for (const pkg of packages) examples += await runReadmeExamples(readFileSync(path.join(consumer, 'node_modules', pkg.name, 'README.md'), 'utf8'), pkg.name);
    expect(examples).toBeGreaterThanOrEqual(packages.length - 1);
  }, 120_000);

  it("of the repository: the course-material examples run, on the repository's examples/", async () => {
    mkdirSync(path.join(consumer, 'examples'), { recursive: true });
    copyFileSync(path.join(WORKSPACE, 'examples', 'problem.json'), path.join(consumer, 'examples', 'problem.json'));
    expect(await runReadmeExamples(readFileSync(path.join(WORKSPACE, 'README.md'), 'utf8'), 'repository')).toBeGreaterThan(0);
    expect(readFileSync(path.join(consumer, 'graph.tex'), 'utf8')).toContain('\\begin{tikzpicture}');
  }, 60_000);
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
    writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'] }, files: ['typed-consumer.ts'] }));
    const result = await runIn(consumer, process.execPath, [TSC, '-p', '.']).catch((error: { stdout: string }) => ({ stdout: error.stdout, stderr: '' }));
    expect(result.stdout).toBe('');
  }, 120_000);
});

describe('a browser', () => {
  it('runs a page bundled by esbuild from graph, problem, solutions and grader, and prints the Q3 gradients', async () => {
    const bundle = await build({
      entryPoints: [path.join(consumer, 'browser-page.js')], absWorkingDir: consumer, bundle: true, write: false,
      format: 'esm', platform: 'browser', target: 'es2022', metafile: true, logLevel: 'silent',
    });
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.filter((input) => input.startsWith('node:') || input.includes('/src/'))).toEqual([]);
    const page = `<!doctype html><meta charset="utf-8"><title>chainrule</title><script type="module" src="page.js"></script>`;
    const server = createServer((request, response) => {
      const js = request.url === '/page.js';
      response.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
      response.end(js ? bundle.outputFiles[0]!.contents : page);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'chainrule-chromium-'));
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(String(error)));
      const printed = tab.waitForEvent('console', { predicate: (message) => message.text().startsWith('chainrule '), timeout: 60_000 });
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const out = JSON.parse((await printed).text().slice('chainrule '.length));
      expect(errors).toEqual([]);
      expectQ3(out.loss, out.gradients.W3);
      expect(out.firstWrong).toBeNull();
      expect(out.markdown).toBeGreaterThan(1000);
    } finally {
      await browser.close();
      server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
