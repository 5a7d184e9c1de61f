import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChainruleError } from '@chainrule/graph';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readRoster, variantsCommand } from './variants.ts';

const bin = fileURLToPath(new URL('../../bin/chainrule.mjs', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'chainrule-variants-'));
// In CI (CI set) a missing pdflatex fails the PDF test instead of skipping it.
const hasPdflatex = Boolean(process.env.CI) || spawnSync('pdflatex', ['--version'], { stdio: 'ignore' }).status === 0;

/** Runs the CLI binary; independent runs go side by side (each spends most of its time starting up). */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', INIT_CWD: scratch }, timeout: 300_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** Runs the command in this process (the binary maps a CommanderError to exit code 2, a ChainruleError to 1); returns what it printed on stderr. */
async function variants(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((text) => (printed.push(String(text)), true));
  try {
    const command = variantsCommand()
      .exitOverride()
      .configureOutput({ writeErr: (text) => printed.push(text), writeOut: () => {} });
    await command.parseAsync(['node', 'variants', ...args]);
    return printed.join('');
  } finally {
    spy.mockRestore();
  }
}

const read = (...parts: string[]) => readFileSync(path.join(scratch, ...parts), 'utf8');
const folder = (dir: string) => Object.fromEntries(readdirSync(path.join(scratch, dir)).sort().map((name) => [name, readFileSync(path.join(scratch, dir, name))]));
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

let initCwd: string | undefined;
beforeAll(() => {
  initCwd = process.env.INIT_CWD;
  process.env.INIT_CWD = scratch;
});
afterAll(() => {
  if (initCwd === undefined) delete process.env.INIT_CWD;
  else process.env.INIT_CWD = initCwd;
});

describe('chainrule variants', () => {
  it('writes problem files, keys, sheets and variants.csv; the same seed writes byte-identical files', async () => {
    expect(await variants('q3', '--count', '2', '--seed', '7', '--out', 'a', '--no-pdf')).toMatch(/wrote 2 variants \(13 files\) to a/);
    await variants('q3', '--count', '2', '--seed', '7', '--out', 'b', '--no-pdf');
    await variants('q3', '--count', '2', '--seed', '8', '--out', 'c', '--no-sheets');
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
    // same equations, new numbers; another seed, other numbers
    const variant = JSON.parse(read('a', 'variant-01.problem.json'));
    expect(variant.equations).toEqual(['L  = 1/2 ||y - ŷ||^2', 'y  = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x']);
    expect(variant.values.W1).not.toEqual([[0.4, 0.5, 0.25, 0.1], [0.2, 0.25, 0.4, 0.5], [0.1, 0.75, 0.3, 0]]);
    expect(read('c', 'variant-01.problem.json')).not.toBe(read('a', 'variant-01.problem.json'));
  });

  it.runIf(hasPdflatex)('typesets reproducible PDFs of the student sheet and the key', async () => {
    for (const dir of ['pdf1', 'pdf2']) expect(await variants('q1', '--count', '1', '--seed', '3', '--out', dir)).toMatch(/with PDFs/);
    const [first, second] = [folder('pdf1'), folder('pdf2')];
    expect(Object.keys(first)).toContain('variant-01.pdf');
    expect(Object.keys(first)).toContain('variant-01.key.pdf');
    expect(Object.keys(first).some((name) => /\.(aux|log)$/.test(name))).toBe(false);
    expect(second).toEqual(first);
    expect(read('pdf1', 'variants.csv')).toMatch(/variant-01\.tex,variant-01\.pdf,.*variant-01\.key\.tex,variant-01\.key\.pdf,/);
  });

  it('writes keys that agree with backprop on the variant, and check grades them against the right variant (the binary)', async () => {
    await variants('q3', '--count', '2', '--seed', '21', '--out', 'exam', '--no-sheets');
    const key = JSON.parse(read('exam', 'variant-01.key.json'));
    writeFileSync(path.join(scratch, 'alice.json'), JSON.stringify({ loss: key.loss, values: key.values, gradients: key.gradients }));
    writeFileSync(path.join(scratch, 'bob.json'), JSON.stringify({ loss: key.rounded.loss, values: key.rounded.values, gradients: key.rounded.gradients }));
    const [backprop, own, rounded, other] = await Promise.all([
      run(['backprop', 'exam/variant-01.problem.json', '--format', 'json', '--round', '2']),
      run(['check', 'exam/variant-01.problem.json', 'alice.json', '--format', 'json']),
      run(['check', 'exam/variant-01.problem.json', 'bob.json', '--round', '2']),
      run(['check', 'exam/variant-02.problem.json', 'alice.json', '--format', 'json']),
    ]);
    expect(backprop.code).toBe(0);
    const reference = JSON.parse(backprop.stdout);
    const at9 = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'number' ? Number(v.toFixed(9)) : v));
    expect(at9(key.loss)).toBe(at9(reference.loss));
    expect(at9(key.values)).toBe(at9(reference.values));
    expect(at9(key.gradients)).toBe(at9(reference.gradients));
    expect(at9(key.rounded.gradients)).toBe(at9(reference.rounded.gradients));
    expect(own.code).toBe(0);
    expect(JSON.parse(own.stdout).firstWrong).toBeNull();
    expect(rounded.code).toBe(0);
    expect(other.code).toBe(3);
    expect(JSON.parse(other.stdout).firstWrong).not.toBeNull();
  });

  it('exits 2 for a usage error and 1 for bad input, never with a stack trace (the binary)', async () => {
    const [usage, bad] = await Promise.all([run(['variants', 'q3', '--count', '0', '--out', 'x']), run(['variants', 'nope.json', '--out', 'x'])]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/argument '0' is invalid\. expected a count from 1 to 999/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: cannot read nope\.json: no such file/);
    for (const { stderr } of [usage, bad]) noStackTrace(stderr);
  });

  it('refuses bad options as usage errors and bad input with a clear message', async () => {
    for (const args of [['q3', '--count', '2'], ['q3', '--out', 'x', '--targets', '0,a'], ['q3', '--out', 'x', '--seed', '-1'], ['q3', '--out', 'x', '--weight-step', 'big']]) {
      await expect(variants(...args)).rejects.toBeInstanceOf(CommanderError);
    }
    writeFileSync(path.join(scratch, 'bare.json'), JSON.stringify({ equations: 'y = W x', values: { W: [[1]] } }));
    writeFileSync(path.join(scratch, 'bad-constraints.json'), JSON.stringify({ weights: { step: 'big' } }));
    const cases: [string[], RegExp][] = [
      [['bare.json', '--out', 'x'], /^values\.x: 'x' has no value/],
      [['q3', '--out', 'x', '--weight-min', '1', '--weight-max', '-1'], /^weights\.min: 1 is larger than weights\.max \(-1\)/],
      [['q3', '--out', 'x', '--constraints', 'bad-constraints.json'], /^weights\.step: .*expected number/],
    ];
    for (const [args, message] of cases) {
      const error = await variants(...args).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ChainruleError);
      expect((error as ChainruleError).describe()).toMatch(message);
    }
  });

  it('says which constraints failed and how many variants were made, writing only good ones', async () => {
    const error = await variants('q3', '--count', '3', '--seed', '1', '--out', 'short', '--min-inactive', '6', '--max-attempts', '50', '--no-sheets').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChainruleError);
    expect((error as Error).message).toMatch(/^made 0 of 3 variants in 50 attempts; the rejected candidates broke: at least 6 inactive ReLU units \(50×\)/);
    expect(read('short', 'variants.csv').split('\r\n').filter(Boolean)).toHaveLength(1);
  });

  it('grades a class folder against the variant each student answers, the variant in the table and the CSV (the binary)', async () => {
    await variants('q3', '--count', '2', '--seed', '31', '--out', 'class-exam', '--no-sheets');
    const key = (id: string) => {
      const k = JSON.parse(read('class-exam', `${id}.key.json`));
      return JSON.stringify({ loss: k.rounded.loss, values: k.rounded.values, gradients: k.rounded.gradients });
    };
    mkdirSync(path.join(scratch, 'class'), { recursive: true });
    writeFileSync(path.join(scratch, 'class', 'alice.json'), key('variant-01'));
    writeFileSync(path.join(scratch, 'class', 'bob.json'), key('variant-02'));
    writeFileSync(path.join(scratch, 'class', 'carol.json'), key('variant-01'));
    writeFileSync(path.join(scratch, 'class', 'dave.json'), key('variant-01'));
    writeFileSync(path.join(scratch, 'roster.csv'), 'Student,Variant\r\nalice,variant-01\r\nbob,2\r\ncarol,variant-02\r\n');
    const { code, stdout, stderr } = await run(['check', 'class-exam', 'class', '--variants', 'roster.csv', '--csv', 'class.csv', '--round', '2']);
    expect(code, stderr).toBe(3);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^submission\s+variant\s+points\s+first wrong/);
    // Variants of Q3 earn Q3's points, as Assignment 9's own Q3 does.
    expect(lines[2]).toMatch(/^alice\s+variant-01\s+7\/7\s+–\s+10\s+0\s+0\s+0$/);
    expect(lines[3]).toMatch(/^bob\s+variant-02\s+7\/7\s+–\s+10\s+0\s+0\s+0$/);
    expect(lines[4]).toMatch(/^carol\s+variant-02\s+\d+(\.\d+)?\/7\s+u1\s/);
    expect(lines[5]).toMatch(/^dave\s+–\s+error\s+not in the roster/);
    const csv = read('class.csv').split('\r\n');
    expect(csv[0]).toBe('id,variant,points,max_points,first_wrong,correct,carried,wrong,missing,error');
    expect(csv[1]).toBe('alice,variant-01,7,7,,10,0,0,0,');
    expect(csv[3]).toMatch(/^carol,variant-02,/);
    expect(csv[4]).toMatch(/^dave,,,,,0,0,0,0,not in the roster/);
  });

  it('reads a roster with a clear message for every fault, naming the line', async () => {
    await variants('q3', '--count', '2', '--seed', '5', '--out', 'roster-exam', '--no-sheets');
    const roster = (name: string, text: string) => (writeFileSync(path.join(scratch, name), text), name);
    const ok = roster('ok.csv', '\ufeffID,variant\n"Doe, Jane",1\n\nbob , variant-02\n');
    expect([...readRoster(ok, 'roster-exam')]).toEqual([['Doe, Jane', 'variant-01'], ['bob', 'variant-02']]);
    const fault = (text: string, exam = 'roster-exam') => {
      try {
        readRoster(roster('bad.csv', text), exam);
      } catch (error) {
        if (error instanceof ChainruleError) return error.describe();
        throw error;
      }
      throw new Error('expected an error');
    };
    expect(fault('name,group\nalice,1\n')).toMatch(/bad\.csv: the first line must name the columns, with 'variant' and one of 'student', 'submission', 'id' \(found: name, group\)/);
    expect(fault('student,variant\nalice,variant-09\n')).toMatch(/bad\.csv line 2: 'variant-09' is not a variant in roster-exam \(its variants: variant-01 … variant-02\)/);
    expect(fault('student,variant\nbob,1\nbob,2\n')).toMatch(/bad\.csv line 3: 'bob' is listed twice/);
    expect(fault('student,variant\n"alice,1\n')).toMatch(/bad\.csv: Quote Not Closed/);
    expect(fault('student,variant\nalice,1\n', 'nope')).toMatch(/with --variants, the problem is the folder 'chainrule variants' wrote; nope is not a folder/);
  });
});
