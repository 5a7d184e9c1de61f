import { ChainruleError } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import type { Ast, Equation, Position } from './ast.ts';
import { canonicalName } from './names.ts';
import { isNameLetter, isWhitespace } from './notation.ts';
import { parseEquations } from './parser.ts';

/** The parsed equations without positions and spellings: names by key, as the graph builder sees them. */
function structure(source: string | readonly string[]): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value).filter(([key]) => key !== 'pos' && key !== 'text' && key !== 'source');
    return Object.fromEntries(entries.map(([key, inner]) => [key, strip(inner)]));
  };
  return strip(parseEquations(source));
}

/** An expression as an s-expression, names by key. */
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

const rhs = (expression: string): string => sexpr(parseEquations(`y = ${expression}`)[0]!.expression);
const lines = (source: string): string[] => parseEquations(source).map((e: Equation) => `${e.target.key} = ${sexpr(e.expression)}`);

function failure(source: string): ChainruleError {
  try {
    parseEquations(source);
  } catch (error) {
    if (error instanceof ChainruleError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

describe('layer superscripts are part of the name', () => {
  const ascii = 'a1 = W1 x + b1';
  it.each([
    'a^{(1)} = W^{(1)} x + b^{(1)}',
    'a^(1) = W^(1) x + b^(1)',
    'a⁽¹⁾ = W⁽¹⁾x + b⁽¹⁾',
    String.raw`\mathbf{a}^{(1)} = \mathbf{W}^{(1)} \mathbf{x} + \mathbf{b}^{(1)}`,
    String.raw`\boldsymbol{a}^{ ( 1 ) } &= \boldsymbol{W}^{(1)}\boldsymbol{x} + \boldsymbol{b}^{(1)}`,
    'a^{[1]} = W^{[1]} x + b^{[1]}',
    String.raw`\boldsymbol{a^{(1)}} = \boldsymbol{W^{(1)}} \boldsymbol{x} + \boldsymbol{b^{(1)}}`,
  ])('%s reads as a1 = W1 x + b1', (spelling) => {
    expect(structure(spelling)).toEqual(structure(ascii));
  });

  it('keeps the sheet’s spelling for labels', () => {
    const [equation] = parseEquations(String.raw`\mathbf{a}^{(1)} = \mathbf{W}^{(1)} x`);
    expect(equation!.target).toEqual({ key: 'a1', text: 'a⁽¹⁾' });
    expect(equation!.expression).toMatchObject({ left: { name: { key: 'W1', text: 'W⁽¹⁾' }, pos: { line: 1, column: 20 } } });
    expect(parseEquations('a^{[2]} = x')[0]!.target).toEqual({ key: 'a2', text: 'a^[2]' });
  });

  it('reads literal indices such as k-1 as part of the name', () => {
    const expected = ['ak = (+ (matmul Wk hk-1) bk)', 'hk = (call f ak)'];
    expect(lines('a^{(k)} = W^{(k)} h^{(k-1)} + b^{(k)}\nh^{(k)} = f(a^{(k)})')).toEqual(expected);
    expect(lines('a⁽ᵏ⁾ = W⁽ᵏ⁾ h⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾\nh⁽ᵏ⁾ = f(a⁽ᵏ⁾)')).toEqual(expected);
    expect(lines('a^(k) = W^(k) h^(k − 1) + b^(k)\nh^(k) = f(a^(k))')).toEqual(expected);
    expect(parseEquations('y = h^{(k-1)}')[0]!.expression).toMatchObject({ name: { key: 'hk-1', text: 'h⁽ᵏ⁻¹⁾' } });
    expect(parseEquations('y = h^{(q)}')[0]!.expression).toMatchObject({ name: { key: 'hq', text: 'h^(q)' } });
    expect(canonicalName('h⁽ᴸ⁾').key).toBe('hL');
  });

  it.each(['W^{(2)T} d', String.raw`W^{(2)\top} d`, String.raw`W^{(2) \mathsf{T}} d`, 'W⁽²⁾ᵀ d', 'W^(2)^T d', '(W^{(2)})^T d', 'W^{(2)}ᵀ d'])(
    '%s is the transpose of W2',
    (expression) => {
      expect(rhs(expression)).toBe('(matmul (T W2) d)');
    },
  );

  it('gives a layer index to every kind of name', () => {
    expect(rhs(String.raw`\hat{y}^{(2)} + \sigma^{(1)}(a^{(1)}) + x^{(i)}`)).toBe('(+ (+ yhat2 (call sigma1 a1)) xi)');
  });

  it.each<[string, Position, string]>([
    ['y = a^{(1}', { line: 1, column: 10 }, "expected a layer index such as (1) or (k-1) after '^{(', found '}'"],
    ['y = a^{(1)', { line: 1, column: 11 }, "expected '}' to close the layer index '^{(1)', found end of line"],
    ['y = a^{(1)2}', { line: 1, column: 11 }, "expected '}' to close the layer index '^{(1)', found '2'"],
    ['y = a^{()}', { line: 1, column: 9 }, "expected a layer index inside '()'"],
    ['y = a^(1 * 2)', { line: 1, column: 10 }, "expected a layer index such as (1) or (k-1) after '^(', found '*'"],
    ['y = a⁽¹', { line: 1, column: 8 }, "expected superscript letters or digits and '⁾' to close the layer index '⁽', found end of line"],
    [String.raw`y = \mathbf{W^{(1)T}}`, { line: 1, column: 19 }, String.raw`write the transpose after '}': \mathbf{…}^T`],
    ['y = a⁽q⁾', { line: 1, column: 7 }, "expected superscript letters or digits and '⁾' to close the layer index '⁽', found 'q'"],
  ])('%j fails at %j', (source, at, message) => {
    const error = failure(source);
    expect({ at: error.location, message: error.message }).toEqual({ at, message });
  });
});

describe('numbers', () => {
  it.each([
    ['½ ||y - ŷ||²', '1/2 ||y - yhat||^2'],
    ['½‖y − ŷ‖²', '1/2 ||y - yhat||^2'],
    ['¼ x', '1/4 x'],
    ['¾x', '3/4 x'],
    ['⅓ x + ⅛ x', '1/3 x + 1/8 x'],
    [String.raw`\tfrac{1}{2} x`, '1/2 x'],
    [String.raw`\dfrac12 x`, '1/2 x'],
    ['1⁄2 x', '1/2 x'],
  ])('%s reads as %s', (spelling, ascii) => {
    expect(structure(`L = ${spelling}`)).toEqual(structure(`L = ${ascii}`));
  });

  it('keeps ½ as one number: ½ x / 2 is (1/2 x) / 2', () => {
    expect(rhs('½ x / 2')).toBe('(/ (matmul (/ 1 2) x) 2)');
  });
});

describe('function names as sheets write them', () => {
  it.each([
    [String.raw`\operatorname{ReLU}(u)`, 'ReLU'],
    [String.raw`\text{ReLU}(u)`, 'ReLU'],
    [String.raw`\mathrm{ReLU}(u)`, 'ReLU'],
    [String.raw`\textrm{Sigmoid}(u)`, 'Sigmoid'],
    ['TANH(u)', 'TANH'],
    [String.raw`\tanh(u)`, 'tanh'],
    [String.raw`\tanh\left(u\right)`, 'tanh'],
    [String.raw`\exp(u)`, 'exp'],
    [String.raw`\ln(u)`, 'ln'],
    [String.raw`\sigma(u)`, 'sigma'],
  ])('%s calls %s', (expression, callee) => {
    expect(rhs(expression)).toBe(`(call ${callee} u)`);
  });

  it.each(['max(0, u)', 'max(u, 0)', 'max(0.0, u)', String.raw`\max(0, u)`, String.raw`\max\left(0, u\right)`, String.raw`\max\{0, u\}`, String.raw`\max\left\{0, u\right\}`, String.raw`\operatorname{max}(0, u)`, 'MAX(0, u)'])(
    '%s is relu(u)',
    (expression) => {
      expect(structure(`y = ${expression}`)).toEqual(structure('y = relu(u)'));
    },
  );

  it('refuses any other max, by name', () => {
    expect(failure('y = max(a, b)')).toMatchObject({ location: { line: 1, column: 5 }, message: 'max(…) is supported only as max(0, u) or max(u, 0), the ReLU: write relu(u)' });
    expect(failure(String.raw`y = \max(1, u)`).message).toBe(String.raw`\max(…) is supported only as \max(0, u) or \max(u, 0), the ReLU: write relu(u)`);
    expect(failure('y = max(0, u, v)').location).toEqual({ line: 1, column: 5 });
  });
});

describe('several equations on one line', () => {
  it('splits at ;', () => {
    expect(lines('u = W x; z = f(u);  L = sum(z)')).toEqual(['u = (matmul W x)', 'z = (call f u)', 'L = (call sum z)']);
    expect(parseEquations('u = W x; z = f(u)').map((e) => e.pos)).toEqual([{ line: 1, column: 1 }, { line: 1, column: 10 }]);
    expect(parseEquations('u = W x; z = f(u)')[1]!.source).toBe('z = f(u)');
    expect(lines(String.raw`u &= W x; \quad z &= f(u) \\ L &= \operatorname{sum}(z)`)).toEqual(['u = (matmul W x)', 'z = (call f u)', 'L = (call sum z)']);
    expect(lines('u = W x;\nz = f(u);')).toEqual(['u = (matmul W x)', 'z = (call f u)']);
    expect(parseEquations(['u = W x; z = f(u)'])).toHaveLength(2);
  });

  it('reports a ; inside brackets', () => {
    expect(failure('y = (a; b)')).toMatchObject({ location: { line: 1, column: 7 }, message: "expected ')' to close '(' opened at column 5, found ';'" });
    expect(failure('y = a +; z = b')).toMatchObject({ location: { line: 1, column: 8 }, message: "expected an expression after '+', found ';'" });
  });
});

describe('the exponential', () => {
  it.each([
    ['e^{u}', '(call exp u)'],
    ['e^u', '(call exp u)'],
    ['e^{-u}', '(call exp (neg u))'],
    [String.raw`\frac{1}{1 + e^{-u}}`, '(/ 1 (+ 1 (call exp (neg u))))'],
    ['e^{W x + b}', '(call exp (+ (matmul W x) b))'],
    ['e^2 + e^{2} + e^T + e^{T} + e^{(1)}', '(+ (+ (+ (+ (square e) (square e)) (T e)) (T e)) e1)'],
  ])('%s → %s', (expression, expected) => {
    expect(rhs(expression)).toBe(expected);
  });
});

describe('the quadratic form', () => {
  it('reads (y − ŷ)ᵀ(y − ŷ) with or without ½', () => {
    expect(rhs('(y − ŷ)ᵀ(y − ŷ)')).toBe('(matmul (T (- y yhat)) (- y yhat))');
    expect(rhs('½ (y − ŷ)ᵀ(y − ŷ)')).toBe('(matmul (/ 1 2) (matmul (T (- y yhat)) (- y yhat)))');
    expect(rhs('2 a b c')).toBe('(matmul 2 (matmul (matmul a b) c))');
    expect(rhs('a 2 b')).toBe('(matmul (matmul a 2) b)');
    expect(structure(String.raw`L = \frac{1}{2} (\boldsymbol{y} - \hat{\boldsymbol{y}})^{\top} (\boldsymbol{y} - \hat{\boldsymbol{y}})`)).toEqual(
      structure('L = 1/2 (y - yhat)^T (y - yhat)'),
    );
  });
});

describe('the math vocabulary', () => {
  it.each([
    [String.raw`a \cdot b`, '(matmul a b)'],
    [String.raw`a \times b`, '(matmul a b)'],
    ['a × b', '(matmul a b)'],
    ['a ∙ b', '(matmul a b)'],
    ['a ⋅ b', '(matmul a b)'],
    [String.raw`a \odot b`, '(* a b)'],
    ['a ∘ b', '(* a b)'],
    [String.raw`a \circ b`, '(* a b)'],
    ['a ∗ b', '(* a b)'],
    [String.raw`a \ast b`, '(* a b)'],
    ['a ÷ b', '(/ a b)'],
    [String.raw`a \div b`, '(/ a b)'],
    ['a ~ b', '(matmul a b)'],
  ])('%s → %s', (expression, expected) => {
    expect(rhs(expression)).toBe(expected);
  });

  it.each([
    String.raw`\|v\|_2^2`,
    String.raw`\|v\|^2_2`,
    String.raw`\left\| v \right\|_2^2`,
    String.raw`\left\lVert v \right\rVert_{2}^{2}`,
    String.raw`\lVert v \rVert^2`,
    String.raw`\Vert v \Vert^2`,
    '‖v‖₂²',
    '‖v‖²₂',
    '||v||_2^2',
    '‖v‖_F²',
  ])('%s is the squared norm', (expression) => {
    expect(rhs(expression)).toBe('(sqnorm v)');
  });

  it.each([
    [String.raw`\ell`, 'ell', 'ℓ'],
    ['ℓ', 'ell', 'ℓ'],
    [String.raw`\mathcal{L}`, 'L', 'L'],
    ['𝓛', 'L', '𝓛'],
    ['ℒ', 'L', 'ℒ'],
    [String.raw`\mathscr{L}`, 'L', 'L'],
    [String.raw`\widehat{y}`, 'yhat', 'ŷ'],
    [String.raw`\hat{\bm{y}}`, 'yhat', 'ŷ'],
    [String.raw`\bm{W}_1`, 'W1', 'W_1'],
    [String.raw`\mathbf{W}_1`, 'W1', 'W_1'],
    [String.raw`\boldsymbol{W}_1`, 'W1', 'W_1'],
    [String.raw`\mathbfit{W}_1`, 'W1', 'W_1'],
    [String.raw`\symbf{W}_1`, 'W1', 'W_1'],
    ['𝐖₁', 'W1', '𝐖₁'],
    ['𝑾₁', 'W1', '𝑾₁'],
    ['𝜎', 'sigma', '𝜎'],
  ])('%s is the name %s', (spelling, key, text) => {
    expect(parseEquations(`${spelling} = x`)[0]!.target).toEqual({ key, text });
  });

  it.each([String.raw`W^{\mathrm{T}}`, String.raw`W^{\text{T}}`, String.raw`W^\mathsf{T}`])('%s is a transpose', (expression) => {
    expect(rhs(expression)).toBe('(T W)');
  });

  it.each<[string, Position, string]>([
    ["y = W' x", { line: 1, column: 6 }, "unexpected character ''': primes are not supported: write Wᵀ (or W^T) for a transpose"],
    ["y = f'(u)", { line: 1, column: 6 }, "unexpected character ''': derivatives are not written in the equations: write the forward equations, chainrule derives the rest"],
    [String.raw`x \in \mathbb{R}^2`, { line: 1, column: 3 }, String.raw`unsupported LaTeX command '\in': declarations (x \in \mathbb{R}^n) are not supported: the shapes come from the values`],
    ['y = W’ x', { line: 1, column: 6 }, "unexpected character '’' (U+2019): primes are not supported: write Wᵀ (or W^T) for a transpose"],
    [String.raw`y = W^\prime x`, { line: 1, column: 7 }, String.raw`unsupported LaTeX command '\prime': primes are not supported: write Wᵀ (or W^T) for a transpose`],
    [String.raw`y = \sqrt{x}`, { line: 1, column: 5 }, String.raw`unsupported LaTeX command '\sqrt': square roots are not supported`],
    [String.raw`y = \sum_i x_i`, { line: 1, column: 5 }, String.raw`unsupported LaTeX command '\sum': sums over an index (\sum) are not supported: write sum(v) for the sum of the entries of v`],
    [String.raw`y = \tilde{y}`, { line: 1, column: 5 }, String.raw`unsupported LaTeX command '\tilde': only a hat is supported as an accent (\hat{y}); write the name without it`],
    [String.raw`y = \min(0, u)`, { line: 1, column: 5 }, String.raw`unsupported LaTeX command '\min': min is not supported (max(0, u) is, as relu(u))`],
    ['y = a ⊗ b', { line: 1, column: 7 }, "unexpected character '⊗' (U+2297): the outer (Kronecker) product ⊗ is not supported: write u v^T for an outer product"],
    ['y = √x', { line: 1, column: 5 }, "unexpected character '√' (U+221A): square roots are not supported"],
    ['y = ∂L', { line: 1, column: 5 }, "unexpected character '∂' (U+2202): derivatives are not written in the equations: write the forward equations, chainrule derives the rest"],
    ['y = ‖v‖₁²', { line: 1, column: 8 }, 'only the Euclidean norm ‖v‖₂ (and ‖W‖_F) is supported, found the index 1'],
    ['y = a _2', { line: 1, column: 7 }, "unexpected subscript '_2': an index belongs to a name (W_2) or a norm (‖v‖₂²)"],
    ['y = ‖v‖₂', { line: 1, column: 5 }, '‖v‖ must be squared: write ||v||^2'],
  ])('%j fails at %j', (source, at, message) => {
    const error = failure(source);
    expect({ code: error.code, at: error.location, message: error.message }).toEqual({ code: 'parse', at, message });
  });
});

describe('character classes by code', () => {
  const every = (test: (character: string) => void) => {
    // Every code point of the BMP and of the mathematical alphabets (U+1D400–U+1D7FF), and the last one.
    for (let code = 0; code <= 0xffff; code++) if (code < 0xd800 || code > 0xdfff) test(String.fromCodePoint(code));
    for (let code = 0x1d400; code <= 0x1d7ff; code++) test(String.fromCodePoint(code));
    test(String.fromCodePoint(0x10ffff));
  };
  it('isWhitespace is /^\\s$/u', () => {
    const wrong: number[] = [];
    every((c) => {
      if (isWhitespace(c) !== /^\s$/u.test(c)) wrong.push(c.codePointAt(0)!);
    });
    expect(wrong).toEqual([]);
    expect(isWhitespace('  ')).toBe(false);
    expect(isWhitespace('')).toBe(false);
  });
  it('isNameLetter is a Latin or Greek letter or a mathematical letter, asked twice', () => {
    const reference = (c: string) =>
      /^[\p{Lu}\p{Ll}\p{Lt}\p{Lo}]$/u.test(c) && (/^[\p{Script=Latin}\p{Script=Greek}]$/u.test(c) || /^[\u{1D400}-\u{1D7CB}ℂℊℋℌℍℎℐℑℒℓℕℙℚℛℜℝℤℨℬℭℯℰℱℳℴ]$/u.test(c));
    const wrong: number[] = [];
    for (let pass = 0; pass < 2; pass++) {
      every((c) => {
        if (isNameLetter(c) !== reference(c)) wrong.push(c.codePointAt(0)!);
      });
    }
    expect(wrong).toEqual([]);
    expect(['W', 'ŷ', 'σ', '𝐖', 'ℒ'].map(isNameLetter)).toEqual([true, true, true, true, true]);
    expect(['ᵀ', '1', '_', 'ж'].map(isNameLetter)).toEqual([false, false, false, false]);
  });
});
