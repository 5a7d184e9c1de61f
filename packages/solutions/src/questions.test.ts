import { graphView } from '@chainrule/export';
import { describe, expect, it } from 'vitest';
import type { Block } from './document.ts';
import { POINTS, assignmentQ3Problem } from '@chainrule/assignment9';
import { question2, question3 } from './questions.ts';
import { solutionSheet } from './sheet.ts';
import { type Mat, type Nested, type Vec, add, edgeSet, expectClose, figure, hadamard, halfSquaredNorm, inlineText, matTVec, matVec, outer, relu, step, stepNamed, stepsOf, sub } from './test-fixtures/plain-math.ts';

const X = [1, 2, 3, 4];
const YHAT = [1, 0];
const W1: Mat = [
  [0.4, 0.5, 0.25, 0.1],
  [0.2, 0.25, 0.4, 0.5],
  [0.1, 0.75, 0.3, 0],
];
const W2: Mat = [
  [0.1, 0.25, 0.5, 0.4],
  [0, 0.3, 0.75, 0.1],
];
const W3: Mat = [
  [1, 0.5, 0.25],
  [0.2, 0.3, 0.4],
];

/** The Q3 forward and backward pass, textbook style. */
function q3Exact() {
  const u1 = matVec(W1, X);
  const z1 = relu(u1);
  const u3 = matVec(W3, z1);
  const u2 = matVec(W2, X);
  const z2 = relu(u2);
  const y = add(u3, z2);
  const L = halfSquaredNorm(sub(y, YHAT));
  const dy = sub(y, YHAT);
  const dW3 = outer(dy, z1);
  const dz1 = matTVec(W3, dy);
  const du1 = hadamard(dz1, step(u1));
  const dW1 = outer(du1, X);
  const du2 = hadamard(dy, step(u2));
  const dW2 = outer(du2, X);
  return { u1, z1, u3, u2, z2, y, L, dy, dz1, du1, du2, dW1, dW2, dW3 };
}

// Exact decimal arithmetic for the rounding path: numbers as BigInt multiples of 10^-8.
const SCALE = 10n ** 8n;
const dec = (v: number): bigint => {
  const scaled = BigInt(Math.round(v * 1e8));
  // Guard: every number of the sheet has at most 8 decimals.
  expect(Math.abs(Number(scaled) / 1e8 - v)).toBeLessThan(1e-12);
  return scaled;
};
const dmul = (a: bigint, b: bigint): bigint => {
  const p = a * b;
  expect(p % SCALE, 'product must stay exact at 8 decimals').toBe(0n);
  return p / SCALE;
};
/** Half away from zero to `places` decimals, exactly. */
const dround = (a: bigint, places = 2): bigint => {
  const unit = 10n ** (8n - BigInt(places));
  const abs = a < 0n ? -a : a;
  let q = abs / unit;
  if ((abs % unit) * 2n >= unit) q += 1n;
  return (a < 0n ? -q : q) * unit;
};
const toNumber = (a: bigint): number => {
  const negative = a < 0n;
  const abs = negative ? -a : a;
  const text = `${negative ? '-' : ''}${abs / SCALE}.${(abs % SCALE).toString().padStart(8, '0')}`;
  return Number(text);
};
type DVec = bigint[];
type DMat = bigint[][];
const dVec = (v: Vec): DVec => v.map(dec);
const dMat = (m: Mat): DMat => m.map(dVec);
const dMatVec = (W: DMat, x: DVec): DVec => W.map((row) => row.reduce((s, w, j) => s + dmul(w, x[j]!), 0n));
const dMatTVec = (W: DMat, v: DVec): DVec => W[0]!.map((_, j) => W.reduce((s, row, i) => s + dmul(row[j]!, v[i]!), 0n));
const dOuter = (a: DVec, b: DVec): DMat => a.map((ai) => b.map((bj) => dmul(ai, bj)));
const r2v = (v: DVec): DVec => v.map((e) => dround(e));
const r2m = (m: DMat): DMat => m.map(r2v);
const nv = (v: DVec): Vec => v.map(toNumber);
const nm = (m: DMat): Mat => m.map(nv);

/** The Q3 pass of a student who rounds every intermediate result to 2 decimals (half away from zero). */
function q3Rounded() {
  const x = dVec(X);
  const yhat = dVec(YHAT);
  const w1 = dMat(W1);
  const w2 = dMat(W2);
  const w3 = dMat(W3);
  const u1 = r2v(dMatVec(w1, x));
  const z1 = r2v(u1.map((v) => (v > 0n ? v : 0n)));
  const u3 = r2v(dMatVec(w3, z1));
  const u2 = r2v(dMatVec(w2, x));
  const z2 = r2v(u2.map((v) => (v > 0n ? v : 0n)));
  const y = r2v(u3.map((v, i) => v + z2[i]!));
  const residual = y.map((v, i) => v - yhat[i]!);
  const L = dround(residual.reduce((s, r) => s + dmul(r, r), 0n) / 2n);
  const dy = r2v(residual);
  const dz2 = dy;
  const du2 = r2v(dz2.map((v, i) => (u2[i]! > 0n ? v : 0n)));
  const du3 = dy;
  const dz1 = r2v(dMatTVec(w3, du3));
  const du1 = r2v(dz1.map((v, i) => (u1[i]! > 0n ? v : 0n)));
  const dW3 = r2m(dOuter(du3, z1));
  const dW2 = r2m(dOuter(du2, x));
  const dW1 = r2m(dOuter(du1, x));
  return {
    values: { u1: nv(u1), z1: nv(z1), u3: nv(u3), u2: nv(u2), z2: nv(z2), y: nv(y), L: toNumber(L) },
    loss: toNumber(L),
    gradients: { W1: nm(dW1), W2: nm(dW2), W3: nm(dW3) },
    steps: {
      '∂L/∂y': nv(dy),
      '∂L/∂z2': nv(dz2),
      '∂L/∂u2': nv(du2),
      '∂L/∂u3': nv(du3),
      '∂L/∂z1': nv(dz1),
      '∂L/∂u1': nv(du1),
    } as Record<string, Vec>,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers over the solution document.
// ---------------------------------------------------------------------------------------------


// ---------------------------------------------------------------------------------------------
// Question 3
// ---------------------------------------------------------------------------------------------

describe('Question 3: forward and backward pass against a plain-JS computation', () => {
  const solution = question3();
  const exact = q3Exact();

  it('uses the sheet’s numbers', () => {
    const problem = assignmentQ3Problem();
    expect(problem.values).toEqual({ x: X, 'ŷ': YHAT, W1, W2, W3 });
    expect(problem.functions).toEqual({ f: 'relu' });
    expect(problem.wrt).toEqual(['W1', 'W2', 'W3']);
    expect(solution.points).toBe(POINTS.q3);
    expect(POINTS.q1 + POINTS.q2 + POINTS.q3).toBe(6 + 3 + 4 + 7);
  });

  it('has the forward values and the loss to 1e-12', () => {
    const result = solution.result!;
    expect(Object.keys(result.values).sort()).toEqual(['L', 'u1', 'u2', 'u3', 'y', 'z1', 'z2']);
    expectClose(result.values.u1, exact.u1, 1e-12, 'u1');
    expectClose(result.values.z1, exact.z1, 1e-12, 'z1');
    expectClose(result.values.u3, exact.u3, 1e-12, 'u3');
    expectClose(result.values.u2, exact.u2, 1e-12, 'u2');
    expectClose(result.values.z2, exact.z2, 1e-12, 'z2');
    expectClose(result.values.y, exact.y, 1e-12, 'y');
    expectClose(result.values.L, exact.L, 1e-12, 'L');
    expectClose(result.loss, exact.L, 1e-12, 'loss');
    // Sanity of the independent computation itself (hand-checked numbers).
    expectClose(exact.u1, [2.55, 3.9, 2.5], 1e-12);
    expectClose(exact.y, [8.825, 5.93], 1e-12);
    expectClose(exact.L, 48.1977625, 1e-12);
  });

  it('has the gradients of W1, W2, W3 to 1e-12', () => {
    const result = solution.result!;
    expect(Object.keys(result.gradients).sort()).toEqual(['W1', 'W2', 'W3']);
    expectClose(result.gradients.W1, exact.dW1, 1e-12, 'dW1');
    expectClose(result.gradients.W2, exact.dW2, 1e-12, 'dW2');
    expectClose(result.gradients.W3, exact.dW3, 1e-12, 'dW3');
  });

  it('has every backward intermediate to 1e-12', () => {
    expectClose(stepNamed(solution, '∂L/∂y').exact.toArray(), exact.dy, 1e-12, '∂L/∂y');
    expectClose(stepNamed(solution, '∂L/∂z2').exact.toArray(), exact.dy, 1e-12, '∂L/∂z2');
    expectClose(stepNamed(solution, '∂L/∂u3').exact.toArray(), exact.dy, 1e-12, '∂L/∂u3');
    expectClose(stepNamed(solution, '∂L/∂u2').exact.toArray(), exact.du2, 1e-12, '∂L/∂u2');
    expectClose(stepNamed(solution, '∂L/∂z1').exact.toArray(), exact.dz1, 1e-12, '∂L/∂z1');
    expectClose(stepNamed(solution, '∂L/∂u1').exact.toArray(), exact.du1, 1e-12, '∂L/∂u1');
  });

  it('rounds by default to 2 decimals, and the rounded path matches an exact-decimal recomputation', () => {
    const rounded = q3Rounded();
    const result = solution.roundedResult!;
    expect(result).toBeDefined();
    // Exact equality: both sides are the doubles nearest to decimals with two places.
    expect(result.loss).toBe(rounded.loss);
    expect(result.values).toEqual(rounded.values);
    expect(result.gradients).toEqual(rounded.gradients);
    // Hand-checked: rounding u3 = 5.125 up to 5.13 propagates into y, L and every gradient.
    expect(rounded.values.u3).toEqual([5.13, 2.68]);
    expect(rounded.loss).toBe(48.24);
    expect(rounded.gradients.W3).toEqual([
      [19.97, 30.54, 19.58],
      [15.12, 23.13, 14.83],
    ]);
  });

  it('shows the same rounded values in the worked steps as in roundedResult', () => {
    const rounded = q3Rounded();
    for (const [name, value] of Object.entries(rounded.values)) expect(stepNamed(solution, name).rounded!.toArray(), name).toEqual(value);
    for (const [name, value] of Object.entries(rounded.steps)) expect(stepNamed(solution, name).rounded!.toArray(), name).toEqual(value);
    expect(stepNamed(solution, '∂L/∂W1').rounded!.toArray()).toEqual(rounded.gradients.W1);
    expect(stepNamed(solution, '∂L/∂W2').rounded!.toArray()).toEqual(rounded.gradients.W2);
    expect(stepNamed(solution, '∂L/∂W3').rounded!.toArray()).toEqual(rounded.gradients.W3);
  });

  it('counts the values that differ by more than the rounding itself', () => {
    const steps = stepsOf(solution);
    expect(steps).toHaveLength(16);
    const worst = (a: Nested, b: Nested): number =>
      typeof a === 'number' ? Math.abs(a - (b as number)) : Math.max(...a.map((e, i) => worst(e, (b as Nested[])[i]!)));
    let changed = 0;
    for (const s of steps) {
      const deviation = worst(s.exact.toArray() as Nested, s.rounded!.toArray() as Nested);
      expect(s.deviation!.value).toBeCloseTo(deviation, 12);
      if (deviation > 0.005 + 1e-12) changed++;
    }
    expect(changed).toBe(6); // L, ∂L/∂z1, ∂L/∂u1, ∂L/∂W1, ∂L/∂W2, ∂L/∂W3
    const paragraph = solution.blocks
      .filter((b): b is Extract<Block, { kind: 'paragraph' }> => b.kind === 'paragraph')
      .map((b) => inlineText(b.content))
      .find((t) => t.includes('A student who rounds'));
    expect(paragraph).toContain(`${changed} of 16 values`);
    // The table has one row per step.
    const table = solution.blocks.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.rows.length).toBe(16);
  });

  it('rounds to another number of decimals when asked (round: 3 keeps u3 = 5.125)', () => {
    const sheet = solutionSheet(['q3'], { round: 3 });
    const q3 = sheet.questions[0]!;
    expect(q3.roundedResult?.values.u3).toEqual([5.125, 2.68]);
    expect(stepsOf(q3).every((s) => s.rounded !== undefined)).toBe(true);
  });

  it('writes the u1 step as a student does: W1 x, the substitution, the value', () => {
    const u1 = stepNamed(solution, 'u1');
    expect(u1.phase).toBe('forward');
    expect(u1.formula.unicode).toBe('W₁ x');
    expect(u1.substitution?.unicode).toBe(
      '[0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, 0.2·1 + 0.25·2 + 0.4·3 + 0.5·4, 0.1·1 + 0.75·2 + 0.3·3 + 0·4]',
    );
    expectClose(u1.exact.toArray(), [2.55, 3.9, 2.5], 1e-12);
    expect(u1.line).toBe(7); // u1 = W1 x is the 7th equation of the sheet
  });

  it('writes the other forward steps with the sheet’s numbers', () => {
    expect(stepNamed(solution, 'z1').substitution?.unicode).toBe('[max(0, 2.55), max(0, 3.9), max(0, 2.5)]');
    expect(stepNamed(solution, 'u3').substitution?.unicode).toBe('[1·2.55 + 0.5·3.9 + 0.25·2.5, 0.2·2.55 + 0.3·3.9 + 0.4·2.5]');
    expect(stepNamed(solution, 'u2').substitution?.unicode).toBe('[0.1·1 + 0.25·2 + 0.5·3 + 0.4·4, 0·1 + 0.3·2 + 0.75·3 + 0.1·4]');
    expect(stepNamed(solution, 'y').substitution?.unicode).toBe('[5.125 + 3.7, 2.68 + 3.25]');
    expect(stepNamed(solution, 'L').formula.unicode).toBe('1/2 ‖y − ŷ‖²');
    expect(stepNamed(solution, 'L').substitution?.unicode).toBe('1/2 (7.825² + 5.93²)');
  });

  it('writes ∂L/∂W3 as the outer product of the upstream gradient with z1ᵀ', () => {
    const dW3 = stepNamed(solution, '∂L/∂W3');
    expect(dW3.phase).toBe('backward');
    expect(dW3.formula.unicode).toBe('(∂L/∂u₃) z₁ᵀ');
    expect(dW3.formula.latex).toContain('z_{1}^{\\top}');
    expect(dW3.substitution?.unicode).toBe('[[7.825·2.55, 7.825·3.9, 7.825·2.5], [5.93·2.55, 5.93·3.9, 5.93·2.5]]');
    expect(dW3.exact.shape).toEqual([2, 3]);
    // ∂L/∂u3 is ∂L/∂y (y = u3 + z2), so this is δy z1ᵀ of the sheet.
    expect(stepNamed(solution, '∂L/∂u3').formula.unicode).toBe('∂L/∂y');
  });

  it('writes the ReLU masks and the transposed product of the backward pass', () => {
    expect(stepNamed(solution, '∂L/∂y').formula.unicode).toBe('y − ŷ');
    expect(stepNamed(solution, '∂L/∂y').substitution?.unicode).toBe('[8.825 − 1, 5.93 − 0]');
    expect(stepNamed(solution, '∂L/∂z1').formula.unicode).toBe('W₃ᵀ (∂L/∂u₃)');
    expect(stepNamed(solution, '∂L/∂z1').substitution?.unicode).toBe('[1·7.825 + 0.2·5.93, 0.5·7.825 + 0.3·5.93, 0.25·7.825 + 0.4·5.93]');
    expect(stepNamed(solution, '∂L/∂u1').formula.unicode).toBe("(∂L/∂z₁) ⊙ f'(u₁)");
    expect(stepNamed(solution, '∂L/∂u2').substitution?.unicode).toBe('[7.825·1, 5.93·1]');
    expect(stepNamed(solution, '∂L/∂W1').formula.unicode).toBe('(∂L/∂u₁) xᵀ');
    expect(stepNamed(solution, '∂L/∂W2').formula.unicode).toBe('(∂L/∂u₂) xᵀ');
  });

  it('orders the steps: forward in topological order, then backward from the loss', () => {
    const steps = stepsOf(solution);
    const names = steps.map((s) => s.id.replace(/^dL\/d/, '∂L/∂'));
    const forward = steps.filter((s) => s.phase === 'forward').map((s) => s.id);
    expect(forward.sort()).toEqual(['L', 'u1', 'u2', 'u3', 'y', 'z1', 'z2']);
    const before = (a: string, b: string) => expect(names.indexOf(a), `${a} before ${b}`).toBeLessThan(names.indexOf(b));
    before('u1', 'z1');
    before('z1', 'u3');
    before('u2', 'z2');
    before('u3', 'y');
    before('z2', 'y');
    before('y', 'L');
    before('L', '∂L/∂y');
    before('∂L/∂y', '∂L/∂u3');
    before('∂L/∂u3', '∂L/∂z1');
    before('∂L/∂z1', '∂L/∂u1');
    before('∂L/∂u1', '∂L/∂W1');
    before('∂L/∂u3', '∂L/∂W3');
    before('∂L/∂u2', '∂L/∂W2');
    expect(steps.findIndex((s) => s.phase === 'backward')).toBe(forward.length);
  });
});

// ---------------------------------------------------------------------------------------------
// Question 2
// ---------------------------------------------------------------------------------------------

describe('Question 2: the graphs', () => {
  const solution = question2();

  it('(a) has exactly the 12 nodes and 12 edges of the network', () => {
    const graph = figure(solution, 'q2a').graph;
    expect(figure(solution, 'q2a').simplify).toBe(false);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(['L', 'W1', 'W2', 'W3', 'u1', 'u2', 'u3', 'x', 'y', 'yhat', 'z1', 'z2']);
    expect(edgeSet(graph)).toEqual(
      ['W1→u1', 'x→u1', 'u1→z1', 'z1→u3', 'W3→u3', 'W2→u2', 'x→u2', 'u2→z2', 'u3→y', 'z2→y', 'y→L', 'yhat→L'].sort(),
    );
    expect(graph.nodes.every((n) => !n.added)).toBe(true);
    expect(graph.node('x').kind).toBe('input');
    expect(graph.node('yhat').kind).toBe('target');
    expect(graph.node('L').kind).toBe('loss');
    expect(['W1', 'W2', 'W3'].map((id) => graph.node(id).kind)).toEqual(['parameter', 'parameter', 'parameter']);
  });

  it('(a) lists every node with its direct users', () => {
    const lists = solution.blocks.filter((b): b is Extract<Block, { kind: 'list' }> => b.kind === 'list');
    const items = lists[0]!.items.map(inlineText);
    expect(items).toHaveLength(12);
    expect(items).toContain('x (input) → u₁, u₂');
    expect(items).toContain('L (loss) → nothing (it is the output)');
    expect(items).toContain('y (intermediate) → L');
  });

  it('(b) adds one node per gradient on a path from W1, W2, W3 to L, and nothing for x or ŷ', () => {
    const graph = figure(solution, 'q2b').graph;
    const added = graph.nodes.filter((n) => n.added);
    expect(added.every((n) => n.gradient?.of === 'L')).toBe(true);
    expect(added.map((n) => n.gradient!.wrt).sort()).toEqual(['W1', 'W2', 'W3', 'u1', 'u2', 'u3', 'y', 'z1', 'z2']);
    expect(graph.nodes.filter((n) => !n.added)).toHaveLength(12);
    const byWrt = (wrt: string) => added.find((n) => n.gradient!.wrt === wrt)!.id;
    const inputs = (wrt: string) => graph.inputsOf(byWrt(wrt)).sort();
    expect(inputs('y')).toEqual(['y', 'yhat'].sort());
    expect(inputs('z1')).toEqual(['W3', byWrt('u3')].sort());
    expect(inputs('u1')).toEqual([byWrt('z1'), 'u1'].sort());
    expect(inputs('W3')).toEqual([byWrt('u3'), 'z1'].sort());
    expect(inputs('W2')).toEqual([byWrt('u2'), 'x'].sort());
    expect(inputs('W1')).toEqual([byWrt('u1'), 'x'].sort());
    expect(graph.edges()).toHaveLength(28);
  });

  it('(b) explains every added node in words', () => {
    const graph = figure(solution, 'q2b').graph;
    const lists = solution.blocks.filter((b): b is Extract<Block, { kind: 'list' }> => b.kind === 'list');
    const items = lists[1]!.items.map(inlineText);
    const added = graph.nodes.filter((n) => n.added);
    expect(items).toHaveLength(added.length);
    for (const node of added) {
      // As the sheet typesets it: ∂L/∂W_1 is shown ∂L/∂W₁.
      const shown = node.label.replace(/_(\d)/g, (_match, digit: string) => String.fromCodePoint(0x2080 + Number(digit)));
      const item = items.find((t) => t.startsWith(`${shown} = `));
      expect(item, shown).toBeDefined();
      const [, why] = item!.split(' — ');
      expect(why?.trim().length, `${shown} is explained`).toBeGreaterThan(20);
    }
    const explain = (label: string) => items.find((t) => t.startsWith(`${label} = `))!;
    expect(explain('∂L/∂y')).toContain('the derivative of the squared norm in L');
    expect(explain('∂L/∂z₂')).toContain('y adds z₂');
    expect(explain('∂L/∂u₃')).toContain('y adds u₃');
    expect(explain('∂L/∂u₁')).toContain('derivative of the activation at u₁ (1 where it is positive, else 0)');
    expect(explain('∂L/∂z₁')).toContain('transposed left factor of u₃');
    expect(explain('∂L/∂W₃')).toContain('outer product of the upstream gradient ∂L/∂u₃ with the transposed right factor of u₃');
    expect(explain('∂L/∂W₁')).toContain('transposed right factor of u₁');
  });

  it('(b) simplified leaves out just the one-in-one-out gradient node ∂L/∂z2', () => {
    const fig = figure(solution, 'q2b-simplified');
    expect(fig.simplify).toBe(true);
    const full = graphView(fig.graph);
    const simple = graphView(fig.graph, { simplify: true });
    expect(full.nodes).toHaveLength(21);
    expect(simple.nodes).toHaveLength(20);
    expect(simple.edges).toHaveLength(27);
    expect(simple.hidden.map((id) => fig.graph.node(id).gradient?.wrt)).toEqual(['z2']);
    const dy = fig.graph.nodes.find((n) => n.gradient?.wrt === 'y')!.id;
    const du2 = fig.graph.nodes.find((n) => n.gradient?.wrt === 'u2')!.id;
    expect(simple.edges.some((e) => e.from === dy && e.to === du2)).toBe(true);
  });

  it('has no numbers (no result) and the sheet’s 3 + 4 points', () => {
    expect(solution.result).toBeUndefined();
    expect(solution.points).toBe(7);
  });
});
