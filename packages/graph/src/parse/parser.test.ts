import fc from 'fast-check';
import { QUESTION_2_ASCII, QUESTION_2_LATEX, QUESTION_2_UNICODE } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { ChainruleError } from '@chainrule/tensor';
import type { Ast, Equation, Position } from './ast.ts';
import { canonicalName } from './names.ts';
import { parseEquations } from './parser.ts';

/**
 * Strings of arbitrary code points, lone surrogates included: fast-check 4 dropped `fullUnicodeString`, and its
 * replacement `fc.string({ unit: 'binary' })` takes seconds to set up.
 */
const anyCodePoints = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint)), { maxLength: 40 })
  .map((characters) => characters.join(''));



/** The structure of parsed equations without positions and spellings: names reduced to their keys. */
function structure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structure);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(([key]) => key !== 'pos' && key !== 'text' && key !== 'source');
  return Object.fromEntries(entries.map(([key, inner]) => [key, structure(inner)]));
}

/** An AST as an s-expression, names by key: `(+ (matmul W3 z1) z2)`. */
function sexpr(ast: Ast): string {
  switch (ast.type) {
    case 'number':
      return ast.text;
    case 'name':
      return ast.name.key;
    case 'binary':
      return `(${ast.op} ${sexpr(ast.left)} ${sexpr(ast.right)})`;
    case 'negate':
      return `(neg ${sexpr(ast.operand)})`;
    case 'call':
      return `(call ${ast.callee.key} ${ast.args.map(sexpr).join(' ')})`;
    case 'squaredNorm':
      return `(sqnorm ${sexpr(ast.operand)})`;
    case 'square':
      return `(square ${sexpr(ast.operand)})`;
    case 'transpose':
      return `(T ${sexpr(ast.operand)})`;
  }
}

function rhs(line: string): string {
  const [equation] = parseEquations(`y = ${line}`);
  return sexpr(equation!.expression);
}

function parseFailure(source: string | readonly string[]): ChainruleError {
  try {
    parseEquations(source);
  } catch (error) {
    if (error instanceof ChainruleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

function expectParseError(source: string | readonly string[], at: Position, message: string | RegExp): void {
  const error = parseFailure(source);
  expect(error.code).toBe('parse');
  expect(error.location).toEqual(at);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
}

function allPositions(equations: readonly Equation[]): Position[] {
  const positions: Position[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'pos') positions.push(inner as Position);
      else visit(inner);
    }
  };
  visit(equations);
  return positions;
}

describe('Question 2 of the assignment', () => {
  it('parses the ASCII system', () => {
    const equations = parseEquations(QUESTION_2_ASCII);
    expect(equations.map((e) => `${e.target.key} = ${sexpr(e.expression)}`)).toEqual([
      'L = (matmul (/ 1 2) (sqnorm (- y yhat)))',
      'y = (+ u3 z2)',
      'u3 = (matmul W3 z1)',
      'z2 = (call f u2)',
      'u2 = (matmul W2 x)',
      'z1 = (call f u1)',
      'u1 = (matmul W1 x)',
    ]);
    expect(equations[0]).toMatchObject({ pos: { line: 2, column: 5 }, source: 'L  = 1/2 ||y - ŷ||^2', target: { key: 'L', text: 'L' } });
    expect(equations[2]!.expression).toMatchObject({ left: { pos: { line: 4, column: 10 } }, right: { pos: { line: 4, column: 13 } } });
  });

  it('gives the same structure in Unicode and in the sheet’s LaTeX', () => {
    const ascii = structure(parseEquations(QUESTION_2_ASCII));
    expect(structure(parseEquations(QUESTION_2_UNICODE))).toEqual(ascii);
    expect(structure(parseEquations(QUESTION_2_LATEX))).toEqual(ascii);
  });

  it('locates LaTeX equations in the text as typed', () => {
    const equations = parseEquations(QUESTION_2_LATEX);
    expect(equations.map((e) => e.pos)).toEqual([2, 3, 4, 5, 6, 7, 8].map((line) => ({ line, column: 1 })));
    expect(equations[0]!.target).toEqual({ key: 'L', text: 'L' });
    expect(equations[2]).toMatchObject({
      target: { key: 'u3', text: 'u_3' },
      source: String.raw`\boldsymbol{u}_3 &= \boldsymbol{W}_3 \boldsymbol{z}_1`,
      expression: { left: { name: { key: 'W3', text: 'W_3' }, pos: { line: 4, column: 21 } }, right: { pos: { line: 4, column: 38 } } },
    });
    const loss = equations[0]!.expression;
    expect(loss).toMatchObject({ type: 'binary', op: 'matmul', left: { op: '/', pos: { line: 2, column: 16 } } });
    expect(loss).toMatchObject({ right: { type: 'squaredNorm', pos: { line: 2, column: 27 }, operand: { right: { name: { key: 'yhat', text: 'ŷ' } } } } });
  });

  it('accepts one equation per array element, numbered by index', () => {
    const lines = QUESTION_2_ASCII.trim().split('\n');
    const equations = parseEquations(lines);
    expect(structure(equations)).toEqual(structure(parseEquations(QUESTION_2_ASCII)));
    expect(equations[3]!.pos).toEqual({ line: 4, column: 5 });
    const latexRows = QUESTION_2_LATEX.split('\n');
    expect(structure(parseEquations(latexRows))).toEqual(structure(equations));
  });
});

describe('precedence and associativity', () => {
  it.each([
    ['W3 z1 + z2', '(+ (matmul W3 z1) z2)'],
    ['-W x', '(matmul (neg W) x)'],
    ['1/2 ||y - yhat||^2', '(matmul (/ 1 2) (sqnorm (- y yhat)))'],
    ['a * b + c', '(+ (* a b) c)'],
    ['a + b * c', '(+ a (* b c))'],
    ['W^T x', '(matmul (T W) x)'],
    ['(W x)ᵀ', '(T (matmul W x))'],
    ['a - b - c', '(- (- a b) c)'],
    ['a / b c', '(/ a (matmul b c))'],
    ['s ⊙ W x', '(* s (matmul W x))'],
    ['W x * W x', '(* (matmul W x) (matmul W x))'],
    ['1/2 x', '(matmul (/ 1 2) x)'],
    ['2 x', '(matmul 2 x)'],
    ['2x', '(matmul 2 x)'],
    ['a b c', '(matmul (matmul a b) c)'],
    ['-x^2', '(neg (square x))'],
    ['e^2 + e²', '(+ (square e) (square e))'],
    ['x^T^T', '(T (T x))'],
    ['a * -b', '(* a (neg b))'],
    ['+a', 'a'],
    ['||a||^2 ||b||^2', '(matmul (sqnorm a) (sqnorm b))'],
    ['||a + ||b||^2||^2', '(sqnorm (+ a (sqnorm b)))'],
    ['||(a ||b||^2)||^2', '(sqnorm (matmul a (sqnorm b)))'],
    ['W (x + b)', '(call W (+ x b))'],
    ['max(0, b - c)', '(call relu (- b c))'],
    ['sum(v)', '(call sum v)'],
    ['f(g(x))^2', '(square (call f (call g x)))'],
    ['.5 x + 1e-3 - 2.50', '(- (+ (matmul .5 x) 1e-3) 2.50)'],
  ])('%s → %s', (expression, expected) => {
    expect(rhs(expression)).toBe(expected);
  });

  it('reads the Unicode and LaTeX operators', () => {
    expect(rhs('a ⊙ b')).toBe('(* a b)');
    expect(rhs('a · b')).toBe('(matmul a b)');
    expect(rhs('a @ b')).toBe('(matmul a b)');
    expect(rhs('a − b')).toBe('(- a b)');
    expect(rhs(String.raw`a \odot b`)).toBe('(* a b)');
    expect(rhs(String.raw`a \cdot b`)).toBe('(matmul a b)');
    expect(rhs(String.raw`\frac{a}{b + c}`)).toBe('(/ a (+ b c))');
    expect(rhs(String.raw`\frac12 \|v\|^2`)).toBe('(matmul (/ 1 2) (sqnorm v))');
    expect(rhs(String.raw`\left( a + b \right) c`)).toBe('(matmul (+ a b) c)');
  });

  it.each([
    String.raw`W^T`,
    String.raw`W^{T}`,
    String.raw`W^\top`,
    String.raw`W^{\top}`,
    String.raw`W^\intercal`,
    String.raw`W^{\mathsf{T}}`,
    'Wᵀ',
    'W^⊤',
  ])('%s is a transpose', (expression) => {
    expect(rhs(expression)).toBe('(T W)');
  });

  it('reads the same names in all spellings', () => {
    const spellings = [
      'z_1 = sigma(W_1 x)',
      'z₁ = σ(W₁ x)',
      String.raw`\boldsymbol{z}_{1} = \sigma\left(\mathbf{W}_1 \bm{x}\right)`,
      String.raw`z_1 = \operatorname{sigma}(\boldsymbol{W}_{1}\,\boldsymbol{x})`,
    ];
    const expected = structure(parseEquations(spellings[0]!));
    for (const spelling of spellings) expect(structure(parseEquations(spelling))).toEqual(expected);
    expect(rhs(String.raw`\hat{y} + \hat y + \hat{\boldsymbol{y}} + y_hat`)).toBe('(+ (+ (+ yhat yhat) yhat) yhat)');
    expect(rhs(String.raw`\boldsymbol{W}_3x`)).toBe('(matmul W3 x)');
    expect(rhs('y\u0302 + \u0177 + yhat')).toBe('(+ (+ yhat yhat) yhat)');
  });

  it('ignores LaTeX spacing, environments and comments', () => {
    const latex = String.raw`\begin{align*}
  % the loss
  \mathcal{L} &= \tfrac{1}{2}\,\left\lVert y - \hat{y} \right\rVert^{2} \quad \\[2pt]
  y &= \!W\;x \nonumber
\end{align*}`;
    expect(parseEquations(latex).map((e) => `${e.target.key} = ${sexpr(e.expression)}`)).toEqual([
      'L = (matmul (/ 1 2) (sqnorm (- y yhat)))',
      'y = (matmul W x)',
    ]);
    expect(parseEquations(String.raw`\begin{equation} y = W x \end{equation}`)).toHaveLength(1);
  });

  it('skips blank lines and comments and accepts :=', () => {
    const equations = parseEquations('# network\n\ny := W x   // matrix product\n% done\nz = y');
    expect(equations.map((e) => e.pos.line)).toEqual([3, 5]);
    expect(equations[0]!.source).toBe('y := W x');
  });

  it('splits LaTeX rows at \\\\ and at line breaks, and joins a row broken after an operator or inside brackets', () => {
    const latex = String.raw`y &= u_3
  + z_2 \\
u_1 &= W_1 \cdot
  x
\hat{y} = f\left(
  u_1 \right)
z = W x`;
    expect(parseEquations(latex).map((e) => `${e.target.key} = ${sexpr(e.expression)}`)).toEqual([
      'y = (+ u3 z2)',
      'u1 = (matmul W1 x)',
      'yhat = (call f u1)',
      'z = (matmul W x)',
    ]);
    expect(parseEquations(latex)[0]!.source).toBe('y &= u_3 + z_2');
    // A line that neither ends nor starts with an operator is an equation of its own.
    expectParseError('u_1 &= W_1 \\\\\n  x \\\\', { line: 2, column: 5 }, "expected '=' after 'x', found '\\\\'");
  });
});

describe('errors', () => {
  it.each<[string, Position, string | RegExp]>([
    ['y = (a + b', { line: 1, column: 11 }, "expected ')' to close '(' opened at column 5, found end of line"],
    ['u1 = W1 x\n\nz1 = f(u1  ', { line: 3, column: 10 }, "expected ')' to close '(' opened at column 7, found end of line"],
    ['y = a €', { line: 1, column: 7 }, "unexpected character '€' (U+20AC)"],
    ['y = a\u200bb', { line: 1, column: 6 }, 'unexpected character U+200B'],
    ["y = W' x", { line: 1, column: 6 }, /^unexpected character "'"|^unexpected character '''/],
    ['y = |a|', { line: 1, column: 5 }, /absolute values are not supported/],
    ['y + z', { line: 1, column: 3 }, "expected '=' after 'y', found '+'"],
    ['y', { line: 1, column: 2 }, "expected '=' after 'y', found end of line"],
    ['y =', { line: 1, column: 4 }, "expected an expression after '=', found end of line"],
    ['= x', { line: 1, column: 1 }, "expected a variable name before '='"],
    ['3 = x', { line: 1, column: 1 }, "expected a variable name at the start of the equation, found '3'"],
    ['y = ||a||', { line: 1, column: 5 }, '‖v‖ must be squared: write ||v||^2'],
    ['y = ‖a‖ᵀ', { line: 1, column: 5 }, '‖v‖ must be squared: write ||v||^2'],
    ['y = ||a - b', { line: 1, column: 12 }, "expected '||' to close the norm opened at column 5, found end of line"],
    ['y = a^3', { line: 1, column: 7 }, 'only ^2 and ^T are supported, found ^3'],
    ['y = a^{-1}', { line: 1, column: 8 }, /^only \^2 and \^T are supported, found \^\{-/],
    ['y = a b )', { line: 1, column: 9 }, "unexpected ')' without a matching '('"],
    ['y = a = b', { line: 1, column: 7 }, "unexpected second '=': write one equation per line"],
    ['y = f(a,)', { line: 1, column: 9 }, "expected an expression after ',', found ')'"],
    ['y = a +', { line: 1, column: 8 }, "expected an expression after '+', found end of line"],
    ['y = W_ x', { line: 1, column: 7 }, "expected a subscript after '_', found a space"],
    ['', { line: 1, column: 1 }, 'no equations found'],
    ['  # only a comment\n\n', { line: 1, column: 1 }, 'no equations found'],
    ['y = a & b', { line: 1, column: 7 }, "unexpected character '&'"],
    ['y = max(a, b - c)', { line: 1, column: 5 }, 'max(…) is supported only as max(0, u) or max(u, 0), the ReLU: write relu(u)'],
  ])('%j fails at %j', (source, at, message) => {
    expectParseError(source, at, message);
  });

  it('reports the first fault in reading order', () => {
    expectParseError('y = (a\nz = €', { line: 1, column: 7 }, /expected '\)'/);
    expectParseError('y = a\nz = € (', { line: 2, column: 5 }, /unexpected character '€'/);
  });

  it('points into the LaTeX as typed', () => {
    const withSqrt = QUESTION_2_LATEX.replace(String.raw`\boldsymbol{W}_2 \boldsymbol{x}`, String.raw`\boldsymbol{W}_2 \sqrt{\boldsymbol{x}}`);
    expectParseError(withSqrt, { line: 6, column: 38 }, "unsupported LaTeX command '\\sqrt': square roots are not supported");
    const unclosedCall = QUESTION_2_LATEX.replace(String.raw`f(\boldsymbol{u}_2)`, String.raw`f(\boldsymbol{u}_2`);
    expectParseError(unclosedCall, { line: 5, column: 40 }, "expected ')' to close '(' opened at column 22, found '\\\\'");
    const unclosedNorm = QUESTION_2_LATEX.replace(String.raw`\right\|`, '');
    expectParseError(unclosedNorm, { line: 2, column: 72 }, "expected '\\right\\|' to close the norm opened at column 27, found '\\\\'");
    const cubed = QUESTION_2_LATEX.replace('\\right\\|^2', '\\right\\|^{3}');
    expectParseError(cubed, { line: 2, column: 79 }, 'only ^2 and ^T are supported, found ^{3}');
    const unknownEnvironment = QUESTION_2_LATEX.replace('\\end{aligned}', '\\end{align}');
    expectParseError(unknownEnvironment, { line: 9, column: 1 }, "'\\end{align}' does not match '\\begin{aligned}' at line 1");
    expectParseError(String.raw`\begin{pmatrix} 1 \end{pmatrix}`, { line: 1, column: 1 }, /unsupported LaTeX environment 'pmatrix'/);
  });

  it('refuses deep nesting with a parse error', () => {
    for (const source of [`y = ${'('.repeat(5000)}x`, `y = ${'-'.repeat(5000)}x`, `y = ${'||'.repeat(5000)}`, `y = ${'\\hat{'.repeat(500)}y`]) {
      expect(parseFailure(source).message).toMatch(/nested deeper than 200 levels/);
    }
    expect(rhs(`${'('.repeat(150)}x${')'.repeat(150)}`)).toBe('x');
  });
});

describe('one equation per array element', () => {
  it('reports the first fault in element order, a lexical one after the equations before it', () => {
    expect(parseFailure(['y = a', 'z = (b', 'w = €']).location).toEqual({ line: 2, column: 7 });
    expect(parseFailure(['y = a', 'z = b €', 'w = (']).location).toEqual({ line: 2, column: 7 });
    expect(parseFailure(['y = a; z = (b €']).message).toMatch(/unexpected character '€'/);
    expect(parseFailure(['y = a; z = (b', 'w = €']).location).toEqual({ line: 1, column: 14 });
  });

  it('reads LaTeX across elements: an environment opened in one and closed in another, `&` in any', () => {
    const equations = parseEquations(['\\begin{aligned}', 'L &= x', 'y &= W x \\\\', '\\end{aligned}']);
    expect(equations.map((e) => [e.target.key, e.pos])).toEqual([
      ['L', { line: 2, column: 1 }],
      ['y', { line: 3, column: 1 }],
    ]);
    expect(parseEquations(['L = x', 'y &= \\boldsymbol{W} x']).map((e) => e.target.key)).toEqual(['L', 'y']);
    expect(parseFailure(['L = x', 'y = a & b']).message).toBe("unexpected character '&'");
  });
});

describe('names typed as ASCII letters and digits', () => {
  it('are their own canonical key, as canonicalName gives it (the lexer skips canonicalName for them)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/), (name) => {
        expect(canonicalName(name).key).toBe(name);
        const [equation] = parseEquations(`${name} = x`);
        expect(equation!.target).toEqual({ key: name, text: name });
      }),
      { numRuns: 300 },
    );
  });

  it('and every other spelling is keyed by canonicalName', () => {
    for (const name of ['W_3', 'W₃', 'ŷ', 'y_hat', 'σ', 'h^{(1)}', 'a⁽²⁾', '\\boldsymbol{W}_1', '\\hat{y}', 'ℒ', '𝐖']) {
      const [equation] = parseEquations(`${name} = x`);
      expect(equation!.target.key).toBe(canonicalName(name).key);
    }
  });
});

describe('any input', () => {
  const tokenAlphabet = [
    'a', 'W', 'y', 'x1', '_', '_{', '3', '₃', 'ŷ', '\u0302', 'yhat', '=', ':=', '+', '-', '−', '*', '⊙', '/', '·', '@',
    '(', ')', '{', '}', ',', '|', '||', '‖', '^', '2', 'T', 'ᵀ', '²', '⊤', ' ', '\n', '\r\n', '\t', '#', '%', '//',
    '.5', '1e-3', '.', '&', '&=', '\\\\', '\\', '\\frac', '\\frac12', '\\left', '\\right', '\\left\\|', '\\right\\|',
    '\\|', '\\boldsymbol{', '\\hat', '\\hat{', '\\mathcal{L}', '\\sigma', '\\top', '\\cdot', '\\odot', '\\,', '\\quad',
    '\\begin{aligned}', '\\end{aligned}', '\\begin{', '\\end', '$', '\uD800', '😀',
    '⁽', '¹', 'ᵏ', '⁻', '⁾', '^(', '^{(', '^{[', ')}', 'T}', '½', '¾', ';', '×', '∘', '\\max', 'max(0,', '\\text{', '\\tanh',
    '_2', '_{2}', '₂', '_F', '𝐖', '𝓛', 'ℓ', '\\{', '\\}', '~', '\\prime', "'",
  ];
  const tokenSoup = fc.array(fc.constantFrom(...tokenAlphabet), { maxLength: 30 }).map((parts) => parts.join(''));

  function parsesOrFailsCleanly(source: string | readonly string[]): boolean {
    let equations: Equation[];
    try {
      equations = parseEquations(source);
    } catch (error) {
      return (
        error instanceof ChainruleError &&
        error.code === 'parse' &&
        Number.isInteger(error.location.line) &&
        Number.isInteger(error.location.column) &&
        error.location.line! >= 1 &&
        error.location.column! >= 1
      );
    }
    return equations.length > 0 && allPositions(equations).every((pos) => pos.line >= 1 && pos.column >= 1);
  }

  it('either parses or throws a parse error with a line and column', () => {
    const options = { numRuns: 400 };
    fc.assert(fc.property(fc.string(), parsesOrFailsCleanly), options);
    fc.assert(fc.property(anyCodePoints, parsesOrFailsCleanly), options);
    fc.assert(fc.property(tokenSoup, parsesOrFailsCleanly), { numRuns: 3000 });
    fc.assert(fc.property(fc.array(tokenSoup, { maxLength: 4 }), parsesOrFailsCleanly), options);
    fc.assert(fc.property(fc.constantFrom('y = ', 'y &= ', '\\hat{y} = '), tokenSoup, (prefix, rest) => parsesOrFailsCleanly(prefix + rest)), {
      numRuns: 2000,
    });
  });
});
