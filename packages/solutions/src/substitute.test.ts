import { type ProblemInput, type SolvedProblem, parseProblem, solveProblem } from '@chainrule/problem';
import { describe, expect, it } from 'vitest';
import { assignmentQ3Problem } from '@chainrule/assignment9';
import { substitution } from './substitute.ts';
import { type WorkedStep, workedSteps } from './worked.ts';

const MINUS = '\u2212';

const solve = (input: ProblemInput): SolvedProblem => solveProblem(parseProblem(input));
/** The node whose label (Unicode) is `name`, in the graph with the gradient nodes. */
const nodeId = (solved: SolvedProblem, name: string): string => {
  const node = solved.gradientGraph.nodes.find((n) => n.label === name);
  if (!node) throw new Error(`no node ${name}: ${solved.gradientGraph.nodes.map((n) => n.label).join(', ')}`);
  return node.id;
};
const sub = (solved: SolvedProblem, name: string, decimals = 4) =>
  substitution(solved.gradientGraph.node(nodeId(solved, name)).expression!, solved.gradientGraph, solved.values, { decimals });
/** A step by the name the equations write (`u1`, `∂L/∂W3`): its id. */
const stepNamed = (steps: WorkedStep[], name: string): WorkedStep => steps.find((s) => s.id === name.replace(/^∂L\/∂/, 'dL/d'))!;

describe('substitution', () => {
  const q3 = solveProblem(assignmentQ3Problem());

  it('writes a matrix–vector product entry by entry, in both forms', () => {
    const u1 = sub(q3, 'u1')!;
    expect(u1.unicode).toBe('[0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, 0.2·1 + 0.25·2 + 0.4·3 + 0.5·4, 0.1·1 + 0.75·2 + 0.3·3 + 0·4]');
    expect(u1.latex).toBe(
      '\\begin{bmatrix} 0.4 \\cdot 1 + 0.5 \\cdot 2 + 0.25 \\cdot 3 + 0.1 \\cdot 4 \\\\ 0.2 \\cdot 1 + 0.25 \\cdot 2 + 0.4 \\cdot 3 + 0.5 \\cdot 4 \\\\ 0.1 \\cdot 1 + 0.75 \\cdot 2 + 0.3 \\cdot 3 + 0 \\cdot 4 \\end{bmatrix}',
    );
  });

  it('returns undefined for a plain copy such as ∂L/∂u3 = ∂L/∂y', () => {
    const id = nodeId(q3, '∂L/∂u3');
    const expression = q3.gradientGraph.node(id).expression!;
    // It really is a copy of ∂L/∂y (possibly behind bookkeeping wrappers), with the same value.
    expect(Array.from(q3.values.get(id)!.data)).toEqual(Array.from(q3.values.get(nodeId(q3, '∂L/∂y'))!.data));
    expect(substitution(expression, q3.gradientGraph, q3.values, { decimals: 4 })).toBeUndefined();
    expect(sub(q3, '∂L/∂z2')).toBeUndefined();
  });

  it('returns undefined for leaves', () => {
    expect(substitution({ kind: 'ref', id: 'x' }, q3.gradientGraph, q3.values, { decimals: 4 })).toBeUndefined();
  });

  it('rounds the numbers it writes to `decimals`', () => {
    expect(sub(q3, '∂L/∂z1', 1)?.unicode).toBe('[1·7.8 + 0.2·5.9, 0.5·7.8 + 0.3·5.9, 0.3·7.8 + 0.4·5.9]');
    expect(sub(q3, 'y', 1)?.unicode).toBe('[5.1 + 3.7, 2.7 + 3.3]');
  });

  it('parenthesises a negative number after an operator, not a leading one', () => {
    const solved = solve({ equations: ['L = 1/2 ||y - t||^2', 'y = a - b'], values: { a: [1, -2], b: [-3, 4], t: [0, 0] }, wrt: ['a'] });
    const y = sub(solved, 'y')!;
    expect(y.unicode).toBe(`[1 ${MINUS} (${MINUS}3), ${MINUS}2 ${MINUS} 4]`);
    expect(y.latex).toBe('\\begin{bmatrix} 1 - \\left(-3\\right) \\\\ -2 - 4 \\end{bmatrix}');
    // Unicode text never uses the ASCII hyphen as a minus sign.
    expect(y.unicode).not.toContain('-');
    expect(sub(solved, 'L')?.unicode).toBe(`1/2 (4² + (${MINUS}6)²)`);
  });

  it('parenthesises negative right factors of a product, and writes an outer product as a matrix', () => {
    const solved = solve({ equations: ['L = 1/2 ||y - t||^2', 'y = W x'], values: { W: [[-2, 1]], x: [-4, 3], t: [1] }, wrt: ['W'] });
    const y = sub(solved, 'y')!;
    expect(y.unicode).toBe(`[(${MINUS}2)·(${MINUS}4) + 1·3]`);
    expect(y.latex).toBe('\\begin{bmatrix} \\left(-2\\right) \\cdot \\left(-4\\right) + 1 \\cdot 3 \\end{bmatrix}');
    // ∂L/∂W = (∂L/∂y) xᵀ with ∂L/∂y = y − t = 11 − 1 = 10.
    expect(sub(solved, '∂L/∂W')?.unicode).toBe(`[[10·(${MINUS}4), 10·3]]`);
    expect(sub(solved, '∂L/∂W')?.latex).toBe('\\begin{bmatrix} 10 \\cdot \\left(-4\\right) & 10 \\cdot 3 \\end{bmatrix}');
  });

  // Regression test (was wrong: substitute.ts, the `matmul` case, `terms.push(`${num(left…)}${times}${num(right…, true)}`)`):
  // only the right factor is wrapped, so a negative left factor after ` + ` is written bare:
  // `1·3 + −2·(−4)` (LaTeX `1 \cdot 3 + -2 \cdot \left(-4\right)`), which is exactly the
  // "operator followed by a negative number" the doc comment of numberText promises to avoid.
  it('parenthesises a negative left factor after + in a matrix product', () => {
    const solved = solve({ equations: ['L = 1/2 ||y - t||^2', 'y = W x'], values: { W: [[1, -2]], x: [3, -4], t: [1] }, wrt: ['W'] });
    expect(sub(solved, 'y')?.unicode).toBe(`[1·3 + (${MINUS}2)·(${MINUS}4)]`);
  });

  it('writes activations entry by entry: max(0, ·) for ReLU, σ(·), tanh(·)', () => {
    const solved = solve({
      equations: ['L = 1/2 ||r + s + t||^2', 'r = relu(a)', 's = sigmoid(a)', 't = tanh(a)'],
      values: { a: [-1.5, 0.25] },
      wrt: ['a'],
    });
    expect(sub(solved, 'r')?.unicode).toBe(`[max(0, ${MINUS}1.5), max(0, 0.25)]`);
    expect(sub(solved, 'r')?.latex).toBe('\\begin{bmatrix} \\max(0, -1.5) \\\\ \\max(0, 0.25) \\end{bmatrix}');
    expect(sub(solved, 's')?.unicode).toBe(`[σ(${MINUS}1.5), σ(0.25)]`);
    expect(sub(solved, 't')?.unicode).toBe(`[tanh(${MINUS}1.5), tanh(0.25)]`);
  });

  it('gives up on results with more than 64 entries', () => {
    const n = 9;
    const solved = solve({
      equations: ['L = 1/2 ||y||^2', 'y = W x'],
      values: { x: Array.from({ length: n }, (_, i) => i), W: Array.from({ length: n }, () => Array<number>(n).fill(0.1)) },
      wrt: ['W'],
    });
    expect(sub(solved, 'y')).toBeDefined(); // 9 entries
    expect(solved.values.get(nodeId(solved, '∂L/∂W'))!.size).toBe(81);
    expect(sub(solved, '∂L/∂W')).toBeUndefined();
  });

  it('writes ½‖·‖² as the half of the sum of squares (Unicode)', () => {
    expect(sub(q3, 'L')?.unicode).toBe('1/2 (7.825² + 5.93²)');
  });

  // Regression test (was wrong: substitute.ts, line ~90, the `mul` of a constant and a squared norm): the LaTeX branch is
  // the template literal `${factor} \left(${inner}\right)`; in JS `\l` is `l` and `\r` a carriage
  // return, so the result is `\frac{1}{2} left(7.825^{2} + 5.93^{2}` + CR + `ight)`.
  it('writes ½‖·‖² in LaTeX with \\left( … \\right)', () => {
    expect(sub(q3, 'L')?.latex).toBe('\\frac{1}{2} \\left(7.825^{2} + 5.93^{2}\\right)');
  });
});

describe('workedSteps', () => {
  const q3 = solveProblem(assignmentQ3Problem());

  it('without rounding has no rounded values', () => {
    const steps = workedSteps(q3);
    expect(steps).toHaveLength(16);
    expect(steps.every((s) => s.rounded === undefined && s.deviation === undefined && s.roundedSubstitution === undefined)).toBe(true);
    expect(steps.filter((s) => s.phase === 'forward').map((s) => s.line).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(steps.filter((s) => s.phase === 'backward').every((s) => s.line === undefined)).toBe(true);
  });

  it('with rounding writes the rounded path’s own substitution (rounded inputs, 2 decimals)', () => {
    const steps = workedSteps(q3, { round: 2 });
    expect(stepNamed(steps, 'y').roundedSubstitution?.unicode).toBe('[5.13 + 3.7, 2.68 + 3.25]');
    expect(stepNamed(steps, 'y').rounded!.toArray()).toEqual([8.83, 5.93]);
    expect(stepNamed(steps, '∂L/∂z1').roundedSubstitution?.unicode).toBe('[1·7.83 + 0.2·5.93, 0.5·7.83 + 0.3·5.93, 0.25·7.83 + 0.4·5.93]');
    expect(stepNamed(steps, '∂L/∂z1').rounded!.toArray()).toEqual([9.02, 5.69, 4.33]);
    expect(stepNamed(steps, '∂L/∂u3').roundedSubstitution).toBeUndefined();
  });

  it('records the largest deviation and where it is', () => {
    const steps = workedSteps(q3, { round: 2 });
    const dW1 = stepNamed(steps, '∂L/∂W1');
    // exact 9.011·4 = 36.044, rounded 9.02·4 = 36.08: the largest difference, entry [1, 4].
    expect(dW1.deviation!.index).toBe(3);
    expect(dW1.deviation!.value).toBeCloseTo(0.036, 12);
    expect(stepNamed(steps, 'u2').deviation).toEqual({ value: 0, index: 0 });
  });

  it('writes exact numbers exactly whatever `decimals` is (it is for float64 numbers)', () => {
    const steps = workedSteps(q3, { decimals: 1 });
    expect(stepNamed(steps, 'y').substitution?.unicode).toBe('[5.125 + 3.7, 2.68 + 3.25]');
    expect(stepNamed(steps, 'u1').substitution?.unicode).toBe('[0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, 0.2·1 + 0.25·2 + 0.4·3 + 0.5·4, 0.1·1 + 0.75·2 + 0.3·3 + 0·4]');
    // 9.011·4 − hand-computed: ∂L/∂u1 = W3ᵀ [7.825, 5.93] = [9.011, 5.6915, 4.32825].
    expect(stepNamed(steps, '∂L/∂W1').substitution?.unicode).toContain('[4.32825·1, 4.32825·2, 4.32825·3, 4.32825·4]');
    const sigmoid = solve({ equations: ['L = 1/2 ||y||^2', 'y = sigmoid(W x)'], values: { W: [[0.5]], x: [1] }, wrt: ['W'] });
    // σ(0.5) = 0.6224593…, σ′(0.5) = 0.2350037…: float64, written to `decimals`.
    expect(stepNamed(workedSteps(sigmoid, { decimals: 1 }), '∂L/∂y').substitution).toBeUndefined();
    expect(stepNamed(workedSteps(sigmoid, { decimals: 3 }), 'L').substitution?.unicode).toBe('1/2 (0.622²)');
  });

  // Regression test (was wrong: display of exact numbers at `decimals` places): ∂L/∂y = 8.825 − 1 was the double
  // 7.824999999999999, shown `7.82` at 2 decimals while the rounded path on the same page used 7.83;
  // at 4 decimals 4.32825 was shown 4.3282, 19.95375 as 19.9537. Exact values are now written out.
  it('shows the exact 7.825 as 7.825, and the rounding path its 7.83', () => {
    const steps = workedSteps(q3, { decimals: 2, round: 2 });
    expect(stepNamed(steps, '∂L/∂W3').substitution?.unicode).toBe('[[7.825·2.55, 7.825·3.9, 7.825·2.5], [5.93·2.55, 5.93·3.9, 5.93·2.5]]');
    expect(stepNamed(steps, '∂L/∂W3').roundedSubstitution?.unicode).toBe('[[7.83·2.55, 7.83·3.9, 7.83·2.5], [5.93·2.55, 5.93·3.9, 5.93·2.5]]');
  });

  // Regression test (was wrong: rounding path; roundNumber in packages/tensor/src/ops.ts, used by evaluate({ round })):
  // 0.7 · 1.15 = 0.805 exactly, which a student rounds half away from zero to 0.81. The double
  // product is 0.8049999999999999, and roundNumber rounds its shortest decimal string, so the
  // "rounded to 2 d.p." path says 0.8. (Not hit by the sheet's Q3 numbers; it is hit by Q1 networks,
  // e.g. the 3-2-1 tanh network of questions.test.ts, whose ∂L/∂h1 rounded path shows 0.8 for 0.805.)
  it('rounds a product that is exactly …5 in decimal half away from zero', () => {
    const solved = solve({ equations: ['L = 1/2 ||y||^2', 'y = W x'], values: { W: [[0.7]], x: [1.15] }, wrt: ['W'] });
    const steps = workedSteps(solved, { round: 2 });
    expect(stepNamed(steps, 'y').rounded!.toArray()).toEqual([0.81]);
  });
});

describe('the quadratic form (y − ŷ)ᵀ(y − ŷ)', () => {
  // y = x = [1, 2], ŷ = [1, 0]: y − ŷ = [0, 2], (y − ŷ)ᵀ(y − ŷ) = 0·0 + 2·2 = 4, L = ½ · 4 = 2 (by hand).
  const solved = solve({ equations: ['L = 1/2 (y - ŷ)ᵀ(y - ŷ)', 'y = W x'], values: { W: [[1, 0], [0, 1]], x: [1, 2], 'ŷ': [1, 0] }, wrt: ['W'] });

  it('is a number: its substitution and value have no brackets, in text and LaTeX', () => {
    const L = stepNamed(workedSteps(solved, { round: 2 }), 'L');
    expect(L.substitution?.unicode).toBe('1/2 (0·0 + 2·2)');
    expect(L.substitution?.latex).toBe('\\frac{1}{2} \\left(0 \\cdot 0 + 2 \\cdot 2\\right)');
    expect(L.exact.shape).toEqual([]);
    expect(L.exact.data[0]).toBe(2);
    expect(L.exactValue?.shape).toEqual([]);
    expect(L.rounded?.shape).toEqual([]);
    // The problem result says so too: the loss's value is the number 2, not [2].
    expect(solved.result.values.L).toBe(2);
    expect(solved.result.loss).toBe(2);
  });

  it('without the ½ too, and a 1-vector that is no inner product keeps its brackets', () => {
    const bare = solve({ equations: ['L = (y - ŷ)ᵀ(y - ŷ)', 'y = W x'], values: { W: [[1, 0], [0, 1]], x: [1, 2], 'ŷ': [1, 0] }, wrt: ['W'] });
    expect(stepNamed(workedSteps(bare), 'L').substitution?.unicode).toBe('0·0 + 2·2');
    const vector = solve({ equations: ['L = sum(y)', 'y = W x'], values: { W: [[3]], x: [2] }, wrt: ['W'] });
    expect(stepNamed(workedSteps(vector), 'y').substitution?.unicode).toBe('[3·2]');
  });
});
