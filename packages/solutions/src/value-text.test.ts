import { parseProblem, solveProblem } from '@chainrule/problem';
import { Rational, tensor } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { renderSolution } from './render/index.ts';
import { problemSolution } from './questions.ts';
import { MAX_EXACT_DIGITS, entryText, valueText } from './value-text.ts';
import { workedSteps } from './worked.ts';

const r = (num: bigint, den = 1n) => Rational.of(num, den);

describe('entryText', () => {
  it('writes an exact decimal in full, a fraction where the decimal does not end, float64 to `decimals`', () => {
    expect(entryText(4.32825, r(432825n, 100000n), { decimals: 2 })).toBe('4.32825');
    expect(entryText(1 / 3, r(1n, 3n), { decimals: 4 })).toBe('1/3');
    expect(entryText(-2 / 3, r(-2n, 3n), { decimals: 4 })).toBe('−2/3');
    expect(entryText(-2 / 3, r(-2n, 3n), { decimals: 4, latex: true })).toBe('-\\frac{2}{3}');
    expect(entryText(0.6224593312018546, undefined, { decimals: 4 })).toBe('0.6225');
    expect(entryText(-0.5, r(-1n, 2n), { decimals: 4 })).toBe('−0.5');
  });

  it('parenthesises a negative operand, and a fraction in text (`(1/3)·2` is not 1/(3·2))', () => {
    expect(entryText(-0.5, r(-1n, 2n), { decimals: 4, wrap: true })).toBe('(−0.5)');
    expect(entryText(1 / 3, r(1n, 3n), { decimals: 4, wrap: true })).toBe('(1/3)');
    expect(entryText(1 / 3, r(1n, 3n), { decimals: 4, wrap: true, latex: true })).toBe('\\frac{1}{3}');
    expect(entryText(-1 / 3, r(-1n, 3n), { decimals: 4, wrap: true, latex: true })).toBe('\\left(-\\frac{1}{3}\\right)');
    expect(entryText(2.5, r(5n, 2n), { decimals: 4, wrap: true })).toBe('2.5');
  });

  it('writes an exact value too long to copy by hand to `decimals` places with ≈', () => {
    const long = r(1n, 2n ** 40n); // 40 decimal places
    expect(long.toString().split('.')[1]!.length).toBeGreaterThan(MAX_EXACT_DIGITS);
    expect(entryText(long.toNumber(), long, { decimals: 4 })).toBe('≈0');
    const fraction = r(12345677n, 87654323n);
    expect(entryText(fraction.toNumber(), fraction, { decimals: 4 })).toBe("≈0.1408");
  });
});

describe('valueText', () => {
  it('lines a matrix up on the decimal point, exact entries in full', () => {
    const value = tensor([[19.95375, 1], [15.1, 23.127]]);
    const exact = { shape: [2, 2], data: [r(1995375n, 100000n), r(1n), r(151n, 10n), r(23127n, 1000n)] };
    expect(valueText(value, exact, { decimals: 4, layout: 'aligned' })).toBe('[ 19.95375   1     ]\n[ 15.1      23.127 ]');
    expect(valueText(value, exact, { decimals: 4, layout: 'inline' })).toBe('[[19.95375, 1], [15.1, 23.127]]');
    expect(valueText(value, undefined, { decimals: 2, layout: 'latex' })).toBe('\\begin{bmatrix} 19.95 & 1 \\\\ 15.1 & 23.13 \\end{bmatrix}');
  });
});

describe('worked solutions: exact values, and where float64 takes over', () => {
  // y = W x with W = [[1, 0.5]], x = [1, 1]: y = 1.5; z = y / 3 = 0.5 (hand-computed).
  const division = solveProblem(parseProblem({ equations: ['L = 1/2 ||z||^2', 'z = y / 3', 'y = W x'], values: { W: [[1, 0.5]], x: [1, 1] }, wrt: ['W'] }));

  it('writes a value whose decimal does not end as a fraction, in text, LaTeX and JSON', async () => {
    const steps = workedSteps(division);
    const z = steps.find((s) => s.id === 'z')!;
    expect(z.exactValue?.data.map(String)).toEqual(['0.5']);
    const L = steps.find((s) => s.id === 'L')!;
    // L = ½ (1.5/3)² = ½ · ¼ = 1/8 = 0.125; ∂L/∂z = 1/2, ∂L/∂y = 1/6.
    expect(L.exactValue?.data.map(String)).toEqual(['0.125']);
    const dy = steps.find((s) => s.id === 'dL/dy')!;
    expect(dy.exactValue?.data.map(String)).toEqual(['1/6']);
    const solution = problemSolution(division.problem);
    const document = { title: 't', questions: [solution] };
    const text = await renderSolution(document, 'text');
    expect(text).toMatch(/∂L\/∂y = [^\n]*\n\s+(= [^\n]*\n\s+)?= \[1\/6\]\n/);
    const latex = await renderSolution(document, 'latex');
    expect(latex).toContain('&= \\begin{bmatrix} \\frac{1}{6} \\end{bmatrix}');
    const json = JSON.parse(await renderSolution(document, 'json')) as { steps: { id: string; value: unknown; exact?: unknown }[] };
    const dyJson = json.steps.find((s) => s.id === 'dL/dy')!;
    expect(dyJson.exact).toEqual(['1/6']);
    expect(dyJson.value).toEqual([1 / 6]);
  });

  // h = σ(a) with a = 0.5: σ(0.5) = 1/(1 + e^−0.5) = 0.62245933…, by hand from e^−0.5 = 0.60653066.
  const sigmoid = solveProblem(
    parseProblem({ equations: ['L = 1/2 ||h - t||^2', 'h = sigmoid(a)', 'a = w x'], values: { w: [[0.25]], x: [2], t: [1] }, wrt: ['w'], roles: { t: 'target' } }),
  );

  it('says at the step where float64 takes over, and marks every float64 value ≈', async () => {
    const steps = workedSteps(sigmoid, { decimals: 4 });
    const a = steps.find((s) => s.id === 'a')!;
    expect(a.float64).toBeUndefined();
    expect(a.exactValue?.data.map(String)).toEqual(['0.5']);
    const h = steps.find((s) => s.id === 'h')!;
    expect(h.float64?.reason).toBe('op');
    expect(h.float64?.note?.unicode).toBe('float64 from here: σ is not a rational operation (values shown to 4 d.p.)');
    expect(h.exact.data[0]).toBeCloseTo(1 / (1 + 0.60653066), 7);
    const L = steps.find((s) => s.id === 'L')!;
    expect(L.float64?.reason).toBe('input');
    expect(L.float64?.note).toBeUndefined();

    const document = { title: 't', questions: [problemSolution(sigmoid.problem)] };
    const text = await renderSolution(document, 'text');
    expect(text).toContain('h = σ(a)\n  = [σ(0.5)]\n  ≈ [0.6225]\n    float64 from here: σ is not a rational operation (values shown to 4 d.p.)');
    expect(text).toContain('  • ∂L/∂w ≈ ');
    const latex = await renderSolution(document, 'latex');
    expect(latex).toContain('&\\approx \\begin{bmatrix} 0.6225 \\end{bmatrix} \\\\\n&\\qquad \\text{float64 from here: $\\sigma$ is not a rational operation (values shown to 4 d.p.)}');
    const md = await renderSolution(document, 'md');
    expect(md).toContain('\\text{float64 from here: $\\sigma$ is not a rational operation (values shown to 4 d.p.)}');
    const json = JSON.parse(await renderSolution(document, 'json')) as { steps: { id: string; exact?: unknown; float64?: { reason: string; ops: string[]; note?: string } }[] };
    const hJson = json.steps.find((s) => s.id === 'h')!;
    expect(hJson.exact).toBeUndefined();
    expect(hJson.float64).toEqual({ reason: 'op', ops: ['σ'], note: 'float64 from here: σ is not a rational operation (values shown to 4 d.p.)' });
    expect(json.steps.find((s) => s.id === 'a')!.exact).toEqual(['0.5']);
  });
});
