import { greekLetterForCommand } from './names.ts';
import type { OperatorKind, PunctuationKind } from './tokens.ts';

/*
 * The vocabulary of the notation: which characters and LaTeX commands mean what. The lexer reads
 * these tables; the README's "Notation" section lists the same spellings for people.
 */

export const ENVIRONMENTS: ReadonlySet<string> = new Set([
  'aligned', 'align', 'align*', 'equation', 'equation*', 'gather', 'gather*', 'gathered', 'split',
]);
/** Commands that style a name and keep it: `\boldsymbol{W}` is W. */
export const NAME_WRAPPER_COMMANDS: ReadonlySet<string> = new Set([
  'boldsymbol', 'mathbf', 'bm', 'mathrm', 'operatorname', 'mathit', 'mathsf', 'mathcal', 'mathscr', 'vec',
  'text', 'textrm', 'textit', 'textbf', 'textsf', 'mathbfit', 'symbf', 'symbfit', 'pmb', 'mathnormal',
]);
/** LaTeX's own operator names: `\tanh(u)` is tanh(u), `\max(0, u)` is max(0, u). */
export const OPERATOR_NAME_COMMANDS: ReadonlySet<string> = new Set(['exp', 'log', 'ln', 'tanh', 'max']);
export const HAT_COMMANDS: ReadonlySet<string> = new Set(['hat', 'widehat']);
export const IGNORED_COMMANDS: ReadonlySet<string> = new Set([
  'quad', 'qquad', 'enspace', 'thinspace', 'medspace', 'thickspace', 'negthinspace',
  'displaystyle', 'textstyle', 'nonumber', 'notag',
]);
export const OPENING_DELIMITER_COMMANDS: ReadonlySet<string> = new Set(['left', 'bigl', 'Bigl', 'biggl', 'Biggl']);
export const CLOSING_DELIMITER_COMMANDS: ReadonlySet<string> = new Set(['right', 'bigr', 'Bigr', 'biggr', 'Biggr']);
export const SIZING_DELIMITER_COMMANDS: ReadonlySet<string> = new Set(['big', 'Big', 'bigg', 'Bigg']);

/** LaTeX commands that are one token each. */
export const SIMPLE_COMMANDS: Readonly<Record<string, OperatorKind | PunctuationKind>> = {
  cdot: 'matmul',
  times: 'matmul',
  odot: '*',
  circ: '*',
  ast: '*',
  div: '/',
  frac: 'frac',
  tfrac: 'frac',
  dfrac: 'frac',
  top: 'top',
  intercal: 'top',
  coloneqq: '=',
  Vert: 'normBar',
  lVert: 'normOpen',
  rVert: 'normClose',
};

/** Characters that are one token each. */
export const SIMPLE_CHARACTERS: Readonly<Record<string, OperatorKind | PunctuationKind>> = {
  '+': '+',
  '-': '-',
  '−': '-',
  '*': '*',
  '⊙': '*',
  '/': '/',
  '∗': '*',
  '∘': '*',
  '÷': '/',
  '⁄': '/',
  '·': 'matmul',
  '⋅': 'matmul',
  '∙': 'matmul',
  '×': 'matmul',
  '@': 'matmul',
  '=': '=',
  '≔': '=',
  '(': '(',
  ')': ')',
  '{': '{',
  '}': '}',
  ',': ',',
  '^': '^',
  'ᵀ': 'postfixTranspose',
  '²': 'postfixSquare',
  '⊤': 'top',
  '‖': 'normBar',
  ';': ';',
};

/** `½` and its kin: numerator and denominator. */
export const VULGAR_FRACTIONS: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['½', [1, 2]], ['⅓', [1, 3]], ['⅔', [2, 3]], ['¼', [1, 4]], ['¾', [3, 4]], ['⅕', [1, 5]], ['⅖', [2, 5]],
  ['⅗', [3, 5]], ['⅘', [4, 5]], ['⅙', [1, 6]], ['⅚', [5, 6]], ['⅐', [1, 7]], ['⅛', [1, 8]], ['⅜', [3, 8]],
  ['⅝', [5, 8]], ['⅞', [7, 8]], ['⅑', [1, 9]], ['⅒', [1, 10]],
]);

const PRIMES = 'primes are not supported: write Wᵀ (or W^T) for a transpose';
const ACCENTS = 'only a hat is supported as an accent (\\hat{y}); write the name without it';

/** What to say about a LaTeX command chainrule does not support, by name. */
export const UNSUPPORTED_COMMAND_HINTS: Readonly<Record<string, string>> = {
  prime: PRIMES,
  sqrt: 'square roots are not supported',
  sum: 'sums over an index (\\sum) are not supported: write sum(v) for the sum of the entries of v',
  prod: 'products over an index (\\prod) are not supported',
  partial: 'derivatives are not written in the equations: write the forward equations, chainrule derives the rest',
  nabla: 'derivatives are not written in the equations: write the forward equations, chainrule derives the rest',
  otimes: 'the outer (Kronecker) product ⊗ is not supported: write u v^T for an outer product',
  over: 'write \\frac{a}{b} for a fraction',
  tilde: ACCENTS, bar: ACCENTS, overline: ACCENTS, dot: ACCENTS, ddot: ACCENTS, check: ACCENTS, breve: ACCENTS, widetilde: ACCENTS,
  vert: 'absolute values are not supported; write \\|v\\|^2 for a squared norm',
  lvert: 'absolute values are not supported; write \\|v\\|^2 for a squared norm',
  rvert: 'absolute values are not supported; write \\|v\\|^2 for a squared norm',
  mid: 'absolute values are not supported; write \\|v\\|^2 for a squared norm',
  min: 'min is not supported (max(0, u) is, as relu(u))',
  in: 'declarations (x \\in \\mathbb{R}^n) are not supported: the shapes come from the values',
  mathbb: 'declarations (x \\in \\mathbb{R}^n) are not supported: the shapes come from the values',
  ldots: 'ellipses are not supported: write every term', cdots: 'ellipses are not supported: write every term', dots: 'ellipses are not supported: write every term',
};

/** Why a character is refused, when there is more to say than "unexpected character". */
export function characterHint(character: string): string {
  switch (character) {
    case "'":
    case '′':
    case '’':
      return `: ${PRIMES}`;
    case '√':
      return ': square roots are not supported';
    case '∑':
      return ': sums over an index are not supported: write sum(v) for the sum of the entries of v';
    case '∂':
    case '∇':
      return ': derivatives are not written in the equations: write the forward equations, chainrule derives the rest';
    case '⊗':
      return ': the outer (Kronecker) product ⊗ is not supported: write u v^T for an outer product';
    case '[':
    case ']':
      return ": use '(' and ')' for grouping";
    case '_':
      return ': a name must start with a letter';
    case '–':
    case '—':
      return ": write '-' or '−' for a minus";
    default:
      return '';
  }
}

/** Whether a LaTeX command makes a name: a Greek letter, a style (`\boldsymbol`) or a hat. */
export function isNameCommand(command: string): boolean {
  return (
    greekLetterForCommand(command) !== undefined ||
    NAME_WRAPPER_COMMANDS.has(command) ||
    HAT_COMMANDS.has(command) ||
    OPERATOR_NAME_COMMANDS.has(command)
  );
}

const NAME_LETTER_SCRIPT = /^[\p{Script=Latin}\p{Script=Greek}]$/u;
const NAME_LETTER_CATEGORY = /^[\p{Lu}\p{Ll}\p{Lt}\p{Lo}]$/u;

/** Letters of the mathematical alphabets (`𝐖`, `𝑥`, `𝓛`) and letterlike symbols (`ℒ`, `ℓ`, `ℎ`). */
const MATH_ALPHABET_LETTER = /^[\u{1D400}-\u{1D7CB}ℂℊℋℌℍℎℐℑℒℓℕℙℚℛℜℝℤℨℬℭℯℰℱℳℴ]$/u;

/** A letter that may start a name: Latin or Greek (not a modifier letter such as `ᵀ`), or a mathematical letter (`ℒ`, `𝐖`). */
export function isNameLetter(character: string): boolean {
  const code = character.length === 1 ? character.charCodeAt(0) : -1;
  if (code >= 0 && code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  // Past ASCII the answer takes Unicode property tests: remembered per character (bounded).
  let known = NAME_LETTERS.get(character);
  if (known === undefined) {
    known =
      (NAME_LETTER_SCRIPT.test(character) && NAME_LETTER_CATEGORY.test(character)) ||
      (MATH_ALPHABET_LETTER.test(character) && NAME_LETTER_CATEGORY.test(character));
    if (NAME_LETTERS.size >= 4096) NAME_LETTERS.clear();
    NAME_LETTERS.set(character, known);
  }
  return known;
}
const NAME_LETTERS = new Map<string, boolean>();

export function isAsciiDigit(character: string): boolean {
  return character.length === 1 && character >= '0' && character <= '9';
}

export function isSubscriptDigit(character: string): boolean {
  return character.length === 1 && character >= '₀' && character <= '₉';
}

/** A character that may continue a name besides `_`: letters, digits, subscript digits, a combining hat. */
export function isNameContinuation(character: string): boolean {
  return isNameLetter(character) || isAsciiDigit(character) || isSubscriptDigit(character) || character === '\u0302';
}

/** One character of `\s` (JavaScript's white space and line terminators), by code: the lexer asks at every character past ASCII. */
export function isWhitespace(character: string): boolean {
  if (character.length !== 1) return false;
  const code = character.charCodeAt(0);
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}
