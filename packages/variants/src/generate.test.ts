import { assignmentQ3Problem, questionProblem } from '@chainrule/assignment9';
import { gradeSubmission } from '@chainrule/grader';
import { ChainruleError } from '@chainrule/graph';
import { type ProblemResult, parseProblem } from '@chainrule/problem';
import { describe, expect, it } from 'vitest';
import { resolveConstraints, weightGrid } from './constraints.ts';
import { describeShortfall, generateVariants, newNumbers } from './generate.ts';
import { keyJson, variantFiles, variantsCsv } from './files.ts';
import { analyseProblem } from './analyse.ts';
import { variantSource } from './source.ts';

const q3 = assignmentQ3Problem();

/** The error a call throws, as the CLI prints it (with its JSON path). */
function fault(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof ChainruleError) return error.describe();
    throw error;
  }
  throw new Error('expected an error');
}

describe('constraints', () => {
  it('fill in the sheet-like defaults and name a bad field by its path', () => {
    const defaults = resolveConstraints();
    expect(defaults.weights).toEqual({ min: -1, max: 1, step: 0.05 });
    expect(defaults.targets).toEqual([0, 1]);
    expect(weightGrid(defaults)).toHaveLength(41);
    expect(weightGrid(defaults)).toContain(0.15);
    expect(weightGrid(resolveConstraints({ weights: { min: 0.01, max: 0.3, step: 0.1 } }))).toEqual([0.1, 0.2, 0.3]);
    expect(fault(() => resolveConstraints({ weights: { step: -1 } }))).toMatch(/^weights\.step: Too small/);
    expect(fault(() => resolveConstraints({ targets: [] }))).toMatch(/^targets: /);
    expect(fault(() => resolveConstraints({ weights: { min: 1, max: -1 } }))).toBe('weights.min: 1 is larger than weights.max (-1)');
    expect(() => resolveConstraints({ weights: { min: 0.01, max: 0.02, step: 0.05 } })).toThrow(/no multiple of 0\.05 lies in \[0\.01, 0\.02\]/);
    expect(() => resolveConstraints({ weights: { step: 1e-9 } })).toThrow(/grid values; at most 100000/);
    expect(fault(() => resolveConstraints({ inputs: { min: 3, max: 1 } }))).toBe('inputs.min: 3 is larger than inputs.max (1)');
    expect(() => resolveConstraints({ colour: 'red' })).toThrow(/unknown field 'colour'/);
    expect(() => resolveConstraints({ constructor: 1 })).toThrow(/unknown field 'constructor'/);
  });
});

describe('the analysis of a problem', () => {
  it('finds the ReLUs by op, whatever the function is called', () => {
    const renamed = parseProblem({ ...q3, equations: (q3.equations as string[]).map((e) => e.replace(/\bf\(/g, 'g(')), functions: { g: 'relu' } });
    expect(analyseProblem(renamed).reluArguments).toHaveLength(2);
    const relu = parseProblem({ equations: ['L = sum(z)', 'z = relu(W x) + sigmoid(V x)'], values: { W: [[1]], V: [[1]], x: [1] }, wrt: ['W'] });
    expect(analyseProblem(relu).reluArguments).toHaveLength(1);
    const named = parseProblem({ equations: ['L = sum(relu1)', 'relu1 = sigmoid(W x)'], values: { W: [[1]], x: [1] }, wrt: ['W'] });
    expect(analyseProblem(named).reluArguments).toHaveLength(0);
  });

  it('takes leaves named like properties of Object.prototype as any other name', () => {
    const hostile = parseProblem({
      equations: ['L = 1/2 ||y - toString||^2', 'y = constructor x + hasOwnProperty'],
      values: { constructor: [[0.5, 0.5]], x: [1, 2], hasOwnProperty: [0.1], toString: [1] },
      wrt: ['constructor', 'hasOwnProperty'],
      roles: { toString: 'target' },
    });
    const [variant] = generateVariants(hostile, { count: 1, seed: 2 }).variants;
    expect(Object.keys(variant!.problem.values)).toEqual(['constructor', 'x', 'hasOwnProperty', 'toString']);
    expect(Object.keys(variant!.key.gradients)).toEqual(['constructor', 'hasOwnProperty']);
    expect(gradeSubmission(variant!.problem, { loss: variant!.key.loss, values: variant!.key.values, gradients: variant!.key.gradients }, { round: null }).firstWrong).toBeNull();
  });

  it('refuses a problem without values for its leaves, naming the leaf', () => {
    expect(fault(() => generateVariants(parseProblem({ equations: 'y = W x', values: { W: [[1]] }, wrt: ['W'] }), { count: 1, seed: 1 }))).toMatch(
      /^values\.x: 'x' has no value/,
    );
  });
});

describe('generateVariants', () => {
  it('gives the same variants for the same seed and others for another', () => {
    const a = generateVariants(q3, { count: 5, seed: 11 });
    const b = generateVariants(q3, { count: 5, seed: 11 });
    const c = generateVariants(q3, { count: 5, seed: 12 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a.variants[0]!.problem.values)).not.toBe(JSON.stringify(c.variants[0]!.problem.values));
  });

  it('writes byte-identical files for one seed', async () => {
    const { origin } = variantSource('q3');
    const files = async () => variantFiles(generateVariants(q3, { count: 2, seed: 5 }), origin);
    const [first, second] = [await files(), await files()];
    expect(first.map((f) => f.name)).toEqual([
      'variant-01.problem.json', 'variant-01.key.json', 'variant-01.md', 'variant-01.tex', 'variant-01.key.md', 'variant-01.key.tex',
      'variant-02.problem.json', 'variant-02.key.json', 'variant-02.md', 'variant-02.tex', 'variant-02.key.md', 'variant-02.key.tex',
      'variants.csv',
    ]);
    expect(second).toEqual(first);
  });

  it('writes keys without binary noise where the values are short decimals', () => {
    const [variant] = generateVariants(q3, { count: 1, seed: 3 }).variants;
    const numbers = JSON.stringify(variant!.key).match(/-?\d+\.\d+/g) ?? [];
    expect(numbers.every((n) => n.split('.')[1]!.length <= 4)).toBe(true);
  });

  it('keeps a student sheet free of answers and puts the key apart', async () => {
    const { origin } = variantSource('q3');
    const set = generateVariants(q3, { count: 1, seed: 9 });
    const files = Object.fromEntries((await variantFiles(set, origin)).map((f) => [f.name, f.content]));
    const key = JSON.parse(files['variant-01.key.json']!);
    // The key names the question it is a variant of (its points apply); a problem file's names none.
    expect(key).toMatchObject({ variant: 'variant-01', problem: 'variant-01.problem.json', question: 'q3' });
    expect(JSON.parse(keyJson(set.variants[0]!, set, { name: 'exam.json' }))).not.toHaveProperty('question');
    const sheet = files['variant-01.md']!;
    expect(sheet).toMatch(/Question 3 — Backpropagation by hand \(variant 01\)/);
    expect(sheet).toMatch(/f is ReLU/);
    expect(sheet).not.toMatch(/Forward pass|Backward pass|Gradients/);
    expect(sheet).not.toContain(String(key.loss));
    expect(files['variant-01.key.md']).toMatch(/answer key[\s\S]*Forward pass[\s\S]*Backward pass/);
    expect(files['variant-01.key.md']).toContain(String(key.rounded.loss));
    expect(files['variants.csv']!.split('\r\n')[1]).toBe(
      `variant-01,variant-01.problem.json,variant-01.key.json,variant-01.md,variant-01.tex,,variant-01.key.md,variant-01.key.tex,,${key.loss},${key.rounded.loss}`,
    );
    expect(variantsCsv(set, { sheets: true, pdf: true })).toMatch(/variant-01\.tex,variant-01\.pdf,/);
  });

  it('never keeps a variant that breaks a constraint: it says which failed and how many were made', () => {
    const set = generateVariants(q3, { count: 4, seed: 1, constraints: { minInactive: 6 }, maxAttempts: 300 });
    expect(set.complete).toBe(false);
    expect(set.variants).toHaveLength(0);
    expect(set.rejected.minInactive).toBeGreaterThan(0);
    expect(describeShortfall(set)).toMatch(/^made 0 of 4 variants in 300 attempts; the rejected candidates broke: .*at least 6 inactive ReLU units \(\d+×\)/);
    expect(() => newNumbers(q3, { seed: 1, constraints: { minInactive: 6 }, maxAttempts: 50 })).toThrow(/no variant keeps the constraints/);
  });

  it('runs out of distinct variants on a tiny grid and says so', () => {
    const tiny = parseProblem({ equations: ['L = 1/2 ||y - t||^2', 'y = w * x'], values: { w: 0.5, x: 1, t: 0 }, wrt: ['w'], roles: { t: 'target' } });
    const set = generateVariants(tiny, { count: 5, seed: 1, constraints: { weights: { min: 0, max: 1, step: 0.5 }, inputs: { min: 1, max: 1 }, targets: [0] }, maxAttempts: 300 });
    // w ∈ {0, 0.5, 1}: 0 has a zero gradient, 0.5 is the original — one variant is all there is
    expect(set.variants.map((v) => v.problem.values.w)).toEqual([1]);
    expect(describeShortfall(set)).toMatch(/made 1 of 5 .*different from the original and from every other variant/);
  });

  it('refuses a bad count or seed with its field', () => {
    expect(() => generateVariants(q3, { count: 0, seed: 1 })).toThrow(/count must be a whole number from 1 to 999 \(got 0\)/);
    expect(() => generateVariants(q3, { count: 1, seed: -1 })).toThrow(/seed must be a whole number/);
    expect(() => generateVariants(q3, { count: 1, seed: 1.5 })).toThrow(/seed must be a whole number/);
  });
});

describe('grading against the right variant', () => {
  const set = generateVariants(q3, { count: 2, seed: 21 });
  const [first, second] = set.variants as [typeof set.variants[0], typeof set.variants[0]];
  const submission = (key: ProblemResult) => ({ loss: key.loss, values: key.values, gradients: key.gradients });

  it('grades a key all correct against its own variant, exact and rounded', () => {
    const exact = gradeSubmission(first.problem, submission(first.key), { round: null });
    expect(exact.firstWrong).toBeNull();
    expect(exact.counts.wrong + exact.counts.missing).toBe(0);
    const rounded = gradeSubmission(first.problem, submission(first.key.rounded), { round: 2 });
    expect(rounded.firstWrong).toBeNull();
    expect(rounded.counts.wrong).toBe(0);
  });

  it("grades one variant's key wrong against another variant", () => {
    const report = gradeSubmission(second.problem, submission(first.key), { round: null });
    expect(report.firstWrong).not.toBeNull();
    expect(report.counts.wrong).toBeGreaterThan(0);
  });

  it('makes Q1 variants of the stand-in that grade the same way', () => {
    const [variant] = generateVariants(questionProblem('q1'), { count: 1, seed: 4 }).variants;
    expect(gradeSubmission(variant!.problem, submission(variant!.key), { round: null }).firstWrong).toBeNull();
  });
});
