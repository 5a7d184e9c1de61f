import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/chainrule.mjs', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'chainrule-variants-'));
// In CI (CI set) a missing pdflatex fails the PDF test instead of skipping it.
const hasPdflatex = Boolean(process.env.CI) || spawnSync('pdflatex', ['--version'], { stdio: 'ignore' }).status === 0;

/** Runs the CLI; independent runs go side by side (each spends most of its time starting up). */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', INIT_CWD: scratch }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}
const read = (...parts: string[]) => readFileSync(path.join(scratch, ...parts), 'utf8');
const folder = (dir: string) => Object.fromEntries(readdirSync(path.join(scratch, dir)).sort().map((name) => [name, readFileSync(path.join(scratch, dir, name))]));
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

describe('chainrule variants', () => {
  it('writes problem files, keys, sheets and variants.csv; the same seed writes byte-identical files', async () => {
    const [first, second, other] = await Promise.all([
      run(['variants', 'q3', '--count', '2', '--seed', '7', '--out', 'a', '--no-pdf']),
      run(['variants', 'q3', '--count', '2', '--seed', '7', '--out', 'b', '--no-pdf']),
      run(['variants', 'q3', '--count', '2', '--seed', '8', '--out', 'c', '--no-pdf', '--no-sheets']),
    ]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/wrote 2 variants \(13 files\) to a/);
    expect([second.code, other.code]).toEqual([0, 0]);
    const [a, b] = [folder('a'), folder('b')];
    expect(Object.keys(a)).toEqual([
      'variant-01.key.json', 'variant-01.key.md', 'variant-01.key.tex', 'variant-01.md', 'variant-01.problem.json', 'variant-01.tex',
      'variant-02.key.json', 'variant-02.key.md', 'variant-02.key.tex', 'variant-02.md', 'variant-02.problem.json', 'variant-02.tex',
      'variants.csv',
    ]);
    expect(b).toEqual(a);
    const csv = read('a', 'variants.csv').split('\r\n');
    expect(csv[0]).toBe('variant,problem,key,sheet_md,sheet_tex,sheet_pdf,key_md,key_tex,key_pdf,loss,rounded_loss');
    expect(csv[1]!.split(',').slice(0, 3)).toEqual(['variant-01', 'variant-01.problem.json', 'variant-01.key.json']);
    expect(Number(csv[1]!.split(',')[9])).toBe(JSON.parse(read('a', 'variant-01.key.json')).loss);
    // same equations, new numbers
    const variant = JSON.parse(read('a', 'variant-01.problem.json'));
    expect(variant.equations).toEqual(['L  = 1/2 ||y - ŷ||^2', 'y  = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x']);
    expect(variant.values.W1).not.toEqual([[0.4, 0.5, 0.25, 0.1], [0.2, 0.25, 0.4, 0.5], [0.1, 0.75, 0.3, 0]]);
    expect(read('c', 'variant-01.problem.json')).not.toBe(read('a', 'variant-01.problem.json'));
  });

  it.runIf(hasPdflatex)('typesets reproducible PDFs of the student sheet and the key', async () => {
    const runs = await Promise.all(['pdf1', 'pdf2'].map((dir) => run(['variants', 'q1', '--count', '1', '--seed', '3', '--out', dir])));
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const [first, second] = [folder('pdf1'), folder('pdf2')];
    expect(Object.keys(first)).toContain('variant-01.pdf');
    expect(Object.keys(first)).toContain('variant-01.key.pdf');
    expect(Object.keys(first).some((name) => /\.(aux|log)$/.test(name))).toBe(false);
    expect(second).toEqual(first);
    expect(read('pdf1', 'variants.csv')).toMatch(/variant-01\.tex,variant-01\.pdf,.*variant-01\.key\.tex,variant-01\.key\.pdf,/);
  });

  it('writes keys that agree with backprop on the variant, and check grades them against the right variant', async () => {
    expect((await run(['variants', 'q3', '--count', '2', '--seed', '21', '--out', 'exam', '--no-sheets'])).code).toBe(0);
    const key = JSON.parse(read('exam', 'variant-01.key.json'));
    const backprop = await run(['backprop', 'exam/variant-01.problem.json', '--format', 'json', '--round', '2']);
    expect(backprop.code).toBe(0);
    const reference = JSON.parse(backprop.stdout);
    const close = (a: unknown, b: unknown) => expect(JSON.stringify(a, (_, v) => (typeof v === 'number' ? Number(v.toFixed(9)) : v))).toBe(JSON.stringify(b, (_, v) => (typeof v === 'number' ? Number(v.toFixed(9)) : v)));
    close(key.loss, reference.loss);
    close(key.values, reference.values);
    close(key.gradients, reference.gradients);
    close(key.rounded.gradients, reference.rounded.gradients);

    writeFileSync(path.join(scratch, 'alice.json'), JSON.stringify({ loss: key.loss, values: key.values, gradients: key.gradients }));
    writeFileSync(path.join(scratch, 'bob.json'), JSON.stringify({ loss: key.rounded.loss, values: key.rounded.values, gradients: key.rounded.gradients }));
    const [own, rounded, other] = await Promise.all([
      run(['check', 'exam/variant-01.problem.json', 'alice.json', '--format', 'json']),
      run(['check', 'exam/variant-01.problem.json', 'bob.json', '--round', '2']),
      run(['check', 'exam/variant-02.problem.json', 'alice.json', '--format', 'json']),
    ]);
    expect(own.code).toBe(0);
    expect(JSON.parse(own.stdout).firstWrong).toBeNull();
    expect(rounded.code).toBe(0);
    expect(other.code).toBe(3);
    expect(JSON.parse(other.stdout).firstWrong).not.toBeNull();
  });

  it('refuses usage errors with exit code 2 and bad input with exit code 1, never with a stack trace', async () => {
    writeFileSync(path.join(scratch, 'bare.json'), JSON.stringify({ equations: 'y = W x', values: { W: [[1]] } }));
    writeFileSync(path.join(scratch, 'bad-constraints.json'), JSON.stringify({ weights: { step: 'big' } }));
    const cases: [string[], number, RegExp][] = [
      [['q3', '--count', '0', '--out', 'x'], 2, /argument '0' is invalid\. expected a count from 1 to 999/],
      [['q3', '--count', '2'], 2, /required option '-o, --out <dir>' not specified/],
      [['nope.json', '--out', 'x'], 1, /^error: cannot read nope\.json: no such file/],
      [['bare.json', '--out', 'x'], 1, /^error: values\.x: 'x' has no value/],
      [['q3', '--out', 'x', '--constraints', 'bad-constraints.json', '--weight-min', '1'], 1, /^error: weights\.step: .*expected number/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(['variants', ...args])));
    results.forEach(({ code, stderr }, i) => {
      expect(code).toBe(cases[i]![1]);
      expect(stderr).toMatch(cases[i]![2]);
      noStackTrace(stderr);
    });
  });

  it('says which constraints failed and how many variants were made, writing only good ones', async () => {
    const { code, stderr } = await run(['variants', 'q3', '--count', '3', '--seed', '1', '--out', 'short', '--min-inactive', '6', '--max-attempts', '50', '--no-sheets']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/wrote 0 variants \(1 file\)/);
    expect(stderr).toMatch(/error: made 0 of 3 variants in 50 attempts; the rejected candidates broke: at least 6 inactive ReLU units \(50×\)/);
    expect(read('short', 'variants.csv').split('\r\n').filter(Boolean)).toHaveLength(1);
  });
});
