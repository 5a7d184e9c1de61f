import { ChainruleError } from '@chainrule/graph';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SolutionDocument } from '../document.ts';
import { question3 } from '../questions.ts';
import { solutionSheet } from '../sheet.ts';
import { latexText } from '@chainrule/export';
import { RENDERERS, SOLUTION_FORMATS, type SolutionFormat, renderSolution } from './index.ts';

// In CI (CI set) a missing pdflatex fails the test instead of skipping it.
const hasPdflatex = Boolean(process.env.CI) || spawnSync('pdflatex', ['--version']).status === 0;
const ESC = '\x1b[';

// Independent Q3 numbers (plain JS, see questions.test.ts for the full pass).
const dy = [8.825 - 1, 5.93 - 0];
const z1 = [2.55, 3.9, 2.5];
const dW3 = dy.map((d) => z1.map((z) => d * z));
const roundedW3 = [
  [19.97, 30.54, 19.58],
  [15.12, 23.13, 14.83],
];

let sheet: SolutionDocument;
const out = {} as Record<SolutionFormat, string>;

beforeAll(async () => {
  sheet = solutionSheet(['q1', 'q2', 'q3'], { round: 2 });
  for (const format of SOLUTION_FORMATS) out[format] = await renderSolution(sheet, format);
});

describe('the renderer table', () => {
  it('has the four formats with their file extensions and media types', () => {
    expect([...SOLUTION_FORMATS].sort()).toEqual(['json', 'latex', 'md', 'text']);
    for (const format of SOLUTION_FORMATS) expect(RENDERERS[format].format).toBe(format);
    expect(RENDERERS.latex.extension).toBe('tex');
    expect(RENDERERS.md.extension).toBe('md');
    expect(RENDERERS.json.mediaType).toBe('application/json');
  });

  it('rejects an unknown format with a ChainruleError', async () => {
    await expect(renderSolution(sheet, 'pdf' as SolutionFormat)).rejects.toBeInstanceOf(ChainruleError);
    await expect(renderSolution(sheet, 'pdf' as SolutionFormat)).rejects.toThrow(/unknown format 'pdf'/);
  });

  it('renders every question heading with its points in every human format', () => {
    for (const format of ['text', 'md'] as const) {
      expect(out[format]).toContain('Question 1 — Backpropagation by hand (6 points)');
      expect(out[format]).toContain('Question 2 — Symbol-to-symbol derivatives (7 points)');
      expect(out[format]).toContain('Question 3 — Backpropagation by hand (7 points)');
    }
    expect(out.latex).toContain('\\section*{Question 3 --- Backpropagation by hand (7 points)}');
  });
});

describe('text', () => {
  it('writes u₁ = W₁ x (the sheet\'s subscripts for the ASCII W1), then the substitution, then [2.55, 3.9, 2.5]', () => {
    expect(out.text).toContain(
      [
        'u₁ = W₁ x',
        '   = [0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, 0.2·1 + 0.25·2 + 0.4·3 + 0.5·4, 0.1·1 + 0.75·2 + 0.3·3 + 0·4]',
        '   = [2.55, 3.9, 2.5]',
        '     rounded to 2 d.p.: [2.55, 3.90, 2.50]',
      ].join('\n'),
    );
  });

  it('writes the ∂L/∂W3 step with the outer product, the exact and the rounded matrix', () => {
    const start = out.text.indexOf('∂L/∂W₃ = (∂L/∂u₃) z₁ᵀ\n', out.text.indexOf('Question 3'));
    expect(start).toBeGreaterThan(0);
    const block = out.text.slice(start, out.text.indexOf('\n\n', start));
    expect(block).toContain('= [[7.825·2.55, 7.825·3.9, 7.825·2.5], [5.93·2.55, 5.93·3.9, 5.93·2.5]]');
    // Exact entries written out (7.825·2.55 = 19.95375 by hand), the others to 4 decimals at most.
    expect(block).toContain('19.95375');
    for (const v of [dW3[0]![1]!, dW3[0]![2]!, dW3[1]![0]!, dW3[1]![1]!, dW3[1]![2]!]) expect(block).toContain(String(Number(v.toFixed(4))));
    const lines = block.split('\n');
    const roundedRows = lines.slice(lines.findIndex((l) => l.includes('rounded to 2 d.p.')));
    // The rounded path shows its own working: the products of the rounded inputs.
    expect(roundedRows[0]).toMatch(/rounded to 2 d\.p\.: \[\[7\.83·2\.55, 7\.83·3\.9, 7\.83·2\.5\], \[5\.93·2\.55, 5\.93·3\.9, 5\.93·2\.5\]\] = \[ 19\.97 {2}30\.54 {2}19\.58 \]$/);
    expect(roundedRows[1]).toMatch(/^\s+\[ 15\.12 {2}23\.13 {2}14\.83 \]$/);
    // The continuation row lines up under the first.
    expect(roundedRows[1]!.indexOf('[')).toBe(roundedRows[0]!.lastIndexOf('= [') + 2);
  });

  it('lists the gradients and the Q3 loss', () => {
    // Exact decimals, hand-computed: 7.825·2.55 = 19.95375; ½(7.825² + 5.93²) = ½(61.230625 + 35.1649) = 48.1977625.
    expect(out.text).toContain('• ∂L/∂W₃ = [[19.95375, 30.5175, 19.5625], [15.1215, 23.127, 14.825]]');
    expect(out.text).toContain('L = 1/2 ‖y − ŷ‖²\n  = 1/2 (7.825² + 5.93²)\n  = 48.1977625\n    rounded to 2 d.p.: 1/2 (7.83² + 5.93²) = 48.24');
  });

  it('lists the Q2 graph with 12 nodes and 12 edges and marks added edges', () => {
    expect(out.text).toContain('[Question 2a: the computational graph: 12 nodes, 12 edges');
    expect(out.text).toContain('[Question 2b: the graph with the gradient nodes: 21 nodes, 28 edges');
    // The LaTeX-parsed Q2 as the sheet typesets it: W₃, never the markup W_3.
    expect(out.text).toContain('∂L/∂u₃ → ∂L/∂W₃   (added)');
    expect(out.text).not.toMatch(/[A-Za-z]_\{?\d/);
    expect(out.md.replace(/\$\$[\s\S]*?\$\$|\$[^$]*\$/g, '')).not.toMatch(/[A-Za-z]_\{?\d/);
  });

  it('has ANSI escapes with color and none without', async () => {
    expect(out.text).not.toContain(ESC);
    expect(out.text).not.toContain('\x1b');
    const coloured = await renderSolution(sheet, 'text', { color: true });
    expect(coloured).toContain(ESC);
    expect(coloured).toContain('\x1b[33m!! STAND-IN NETWORK');
    expect(coloured).toContain('\x1b[1mu₁\x1b[22m = W₁ x');
    // Stripping the escapes gives back the plain text.
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(out.text);
  });
});

describe('Markdown', () => {
  it('puts every worked step in a $$ aligned block', () => {
    const blocks = out.md.match(/\$\$\n\\begin\{aligned\}[\s\S]*?\\end\{aligned\}\n\$\$/g) ?? [];
    // Q1: network + 13 steps, Q2: the equations, Q3: network + 16 steps.
    expect(blocks).toHaveLength(1 + 13 + 1 + 1 + 16);
    const u1 = blocks.find((b) => b.includes('u_{1} &= W_{1}\\,x \\\\\n&= \\begin{bmatrix} 0.4 \\cdot 1'));
    expect(u1).toContain('&= \\begin{bmatrix} 2.55 \\\\ 3.9 \\\\ 2.5 \\end{bmatrix}');
  });

  it('has the W3 gradient numbers, exact and rounded, in the ∂L/∂W3 block', () => {
    const start = out.md.indexOf('\\frac{\\partial L}{\\partial W_{3}} &= \\frac{\\partial L}{\\partial u_{3}}\\,z_{1}^{\\top}');
    expect(start).toBeGreaterThan(0);
    const block = out.md.slice(start, out.md.indexOf('$$', start));
    expect(block).toContain('7.825 \\cdot 2.55 & 7.825 \\cdot 3.9 & 7.825 \\cdot 2.5 \\\\ 5.93 \\cdot 2.55');
    expect(block).toContain('30.5175 & 19.5625 \\\\ 15.1215 & 23.127 & 14.825 \\end{bmatrix}');
    expect(block).toContain(`= \\begin{bmatrix} ${roundedW3.map((r) => r.join(' & ')).join(' \\\\ ')} \\end{bmatrix}`);
  });

  it('draws the Q2 graphs as Mermaid blocks with the right edges', () => {
    const mermaid = [...out.md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(mermaid).toHaveLength(3);
    const [a, b, simplified] = mermaid as [string, string, string];
    expect(a).toContain('flowchart');
    expect(a.match(/-->/g)).toHaveLength(12);
    expect(a).not.toContain('added');
    // (b): 12 forward edges plus 16 dashed ones into the added nodes, which have their own class.
    expect(b.match(/-->/g)).toHaveLength(12);
    expect(b.match(/-\.->/g)).toHaveLength(16);
    expect(b).toMatch(/classDef added [^\n]*stroke-dasharray/);
    expect(b).toMatch(/class (n\d+,){8}n\d+ added;/);
    expect(simplified.match(/-\.->/g)).toHaveLength(15);
    expect(out.md).toContain('*Question 2a: the computational graph*');
  });

  it('references SVG files only when asked, and then draws each figure once, as its SVG', async () => {
    expect(out.md).not.toContain('.svg)');
    const withFiles = await renderSolution(sheet, 'md', { figureFiles: true });
    for (const id of ['q2a', 'q2b', 'q2b-simplified']) expect(withFiles.split(`](${id}.svg)`)).toHaveLength(2);
    expect(withFiles).toContain('![Question 2a: the computational graph](q2a.svg)');
    expect(withFiles).not.toContain('```mermaid');
    // The SVG's own title is its caption: not a second time in italics under the image.
    expect(withFiles).not.toContain('*Question 2a: the computational graph*');
  });

  // Regression test (was wrong: render/markdown.ts, the 'table' case): the header cells are not escaped, so the
  // header `max |difference|` adds two pipes: the header row has 7 cells, the delimiter row 5,
  // and GitHub-flavoured Markdown does not render the rounding table as a table at all.
  it('has a rounding table whose header has as many cells as its delimiter row', () => {
    const lines = out.md.split('\n');
    const delimiter = lines.findIndex((l) => /^\| --- \|/.test(l));
    const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    expect(cells(lines[delimiter - 1]!)).toBe(cells(lines[delimiter]!));
  });
});

describe('LaTeX', () => {
  it('is a complete document', () => {
    expect(out.latex.startsWith('\\documentclass')).toBe(true);
    expect(out.latex.trimEnd().endsWith('\\end{document}')).toBe(true);
    expect(out.latex).toContain('\\begin{document}');
    expect(out.latex.match(/\\begin\{tikzpicture\}/g)).toHaveLength(3);
  });

  it('has the Q3 numbers in the steps', () => {
    expect(out.latex).toContain(
      '&= \\begin{bmatrix} 0.4 \\cdot 1 + 0.5 \\cdot 2 + 0.25 \\cdot 3 + 0.1 \\cdot 4 \\\\ 0.2 \\cdot 1 + 0.25 \\cdot 2 + 0.4 \\cdot 3 + 0.5 \\cdot 4 \\\\ 0.1 \\cdot 1 + 0.75 \\cdot 2 + 0.3 \\cdot 3 + 0 \\cdot 4 \\end{bmatrix}',
    );
    expect(out.latex).toContain(`= \\begin{bmatrix} ${roundedW3.map((r) => r.join(' & ')).join(' \\\\ ')} \\end{bmatrix}`);
    // Negative numbers after an operator are parenthesised in LaTeX too (Q1, ∂L/∂h1).
    expect(out.latex).toContain('0.5 \\cdot \\left(-0.0399\\right)');
  });

  it('escapes running text', () => {
    expect(latexText('ŷ = [0, 1] — 50% & $5 #1 a_b')).toBe('$\\hat{y}$ = [0, 1] --- 50\\% \\& \\$5 \\#1 a\\_b');
    expect(latexText('{x}\\')).toBe('\\{x\\}\\textbackslash{}');
    expect(latexText('∂L/∂W3 = W3ᵀ')).toBe('$\\partial$L/$\\partial$W3 = W3$^\\top$');
  });

  // Regression test (was wrong: substitute.ts, the `mul` of a constant and a squared norm): the LaTeX template is
  // `${factor} \left(${inner}\right)` in a JS template literal, where `\l` is just `l` and `\r` is a
  // carriage return. The L step reads `\frac{1}{2} left(7.825^{2} + 5.93^{2}<CR>ight)`, which pdflatex
  // typesets as "½ left(7.825² + 5.93² ight)" (Markdown/KaTeX alike).
  it('writes the loss substitution with \\left( … \\right) and no carriage return', () => {
    expect(out.latex).not.toContain('\r');
    expect(out.md).not.toContain('\r');
    expect(out.latex).toContain('&= \\frac{1}{2} \\left(7.825^{2} + 5.93^{2}\\right)');
  });

  // Regression test (was wrong: render/latex.ts, latexText): `--` in running text is passed through, and T1 makes it an
  // en dash, so the stand-in notice prints the command as "pnpm solve q1 –network slides-73-74.json".
  it('keeps the `--network` of the stand-in notice a double hyphen', () => {
    expect(latexText('pnpm solve q1 --network slides-73-74.json')).not.toContain('--');
  });

  it('sets gradient labels of figures and tables with a slash, and shrinks a figure to the text width but never enlarges it', () => {
    const figures = out.latex.split('\\begin{figure}').slice(1).map((f) => f.slice(0, f.indexOf('\\end{figure}')));
    expect(figures).toHaveLength(3);
    for (const figure of figures) {
      expect(figure).not.toContain('\\frac');
      expect(figure).toContain('\\ifdim\\wd0>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox0}\\else\\usebox0\\fi');
    }
    expect(figures[1]).toContain('{$\\partial L/\\partial W_{1}$}');
    const tables = out.latex.split('\\begin{longtable}').slice(1).map((t) => t.slice(0, t.indexOf('\\end{longtable}')));
    expect(tables.some((table) => table.includes('$\\partial L/\\partial W_{3}$'))).toBe(true);
    for (const table of tables) expect(table).not.toContain('\\frac');
  });

  // pdflatex takes seconds on a quiet machine and over a minute on a loaded one: the limits only catch a hang.
  it.skipIf(!hasPdflatex)('compiles with pdflatex and produces a PDF', { timeout: 660_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-latex-'));
    try {
      writeFileSync(join(dir, 'sheet.tex'), out.latex);
      const run = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'sheet.tex'], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
      const log = existsSync(join(dir, 'sheet.log')) ? readFileSync(join(dir, 'sheet.log'), 'utf8') : run.stdout;
      expect(run.status, log.split('\n').filter((l) => l.startsWith('!')).join('\n')).toBe(0);
      expect(log).not.toMatch(/^! /m);
      expect(log).not.toMatch(/Undefined control sequence/);
      // Everything inside the margins: the rounding table ran 30 pt into the margin.
      expect(log.match(/^Overfull \\hbox.*$/gm) ?? []).toEqual([]);
      const pdf = join(dir, 'sheet.pdf');
      expect(existsSync(pdf)).toBe(true);
      expect(statSync(pdf).size).toBeGreaterThan(10_000);
      expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JSON', () => {
  let q3: Record<string, unknown>;
  const solution = question3();
  beforeAll(async () => {
    q3 = JSON.parse(await renderSolution(solutionSheet(['q3'], { round: 2 }), 'json')) as Record<string, unknown>;
  });

  it('has the problem result keys at the top level for one question', () => {
    expect(q3.loss).toBe(solution.result!.loss);
    expect(q3.values).toEqual(solution.result!.values);
    expect(q3.gradients).toEqual(solution.result!.gradients);
    expect(q3.rounded).toEqual(solution.roundedResult);
    expect(q3.id).toBe('q3');
    expect(q3.points).toBe(7);
    expect(q3.notices).toBeUndefined();
    expect((q3.gradients as Record<string, number[][]>).W3).toHaveLength(2);
    (q3.gradients as Record<string, number[][]>).W3!.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(dW3[i]![j]!, 12)));
    expect((q3.rounded as { gradients: Record<string, unknown> }).gradients.W3).toEqual(roundedW3);
  });

  it('has every worked step with formula, substitution and values', () => {
    const steps = q3.steps as { id: string; name: string; phase: string; formula: string; substitution?: string; value: unknown; rounded?: unknown; maxDeviation?: number }[];
    expect(steps).toHaveLength(16);
    const u1 = steps.find((s) => s.id === 'u1')!;
    expect(u1.name).toBe('u₁');
    expect(u1.formula).toBe('W₁ x');
    expect(u1.substitution).toBe('[0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, 0.2·1 + 0.25·2 + 0.4·3 + 0.5·4, 0.1·1 + 0.75·2 + 0.3·3 + 0·4]');
    expect(u1.rounded).toEqual([2.55, 3.9, 2.5]);
    const copy = steps.find((s) => s.id === 'dL/du3')!;
    expect(copy.substitution).toBeUndefined();
    expect(copy.phase).toBe('backward');
    expect(steps.find((s) => s.id === 'L')!.maxDeviation).toBeCloseTo(48.24 - 48.1977625, 12);
  });

  it('keys a whole sheet by question, with the Q2 figures as graph JSON', () => {
    const whole = JSON.parse(out.json) as { title: string; questions: Record<string, Record<string, unknown>> };
    expect(Object.keys(whole.questions)).toEqual(['q1', 'q2', 'q3']);
    expect(whole.questions.q3!.gradients).toEqual(solution.result!.gradients);
    const figures = whole.questions.q2!.figures as Record<string, { nodes: unknown[]; edges: unknown[] }>;
    expect(Object.keys(figures)).toEqual(['q2a', 'q2b', 'q2b-simplified']);
    expect(figures.q2a!.nodes).toHaveLength(12);
    expect(figures.q2a!.edges).toHaveLength(12);
    expect(figures.q2b!.nodes).toHaveLength(21);
    expect(figures['q2b-simplified']!.nodes).toHaveLength(20);
    expect(whole.questions.q2!.steps).toEqual([]);
    expect(whole.questions.q2!.loss).toBeUndefined();
  });
});
