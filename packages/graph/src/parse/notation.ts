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
  'boldsymbol', 'mathbf', 'bm', 'mathrm', 'operatorname', 'mathit', 'mathsf', 'mathcal', 'vec',
]);
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
  odot: '*',
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
  '·': 'matmul',
  '⋅': 'matmul',
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
};

/** Why a character is refused, when there is more to say than "unexpected character". */
export function characterHint(character: string): string {
  switch (character) {
    case "'":
    case '′':
      return ': primes are not supported (write W^T for a transpose)';
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
  return greekLetterForCommand(command) !== undefined || NAME_WRAPPER_COMMANDS.has(command) || HAT_COMMANDS.has(command);
}

const NAME_LETTER_SCRIPT = /^[\p{Script=Latin}\p{Script=Greek}]$/u;
const NAME_LETTER_CATEGORY = /^[\p{Lu}\p{Ll}\p{Lt}\p{Lo}]$/u;

/** A letter that may start a name: Latin or Greek (not a modifier letter such as `ᵀ`), or `ℒ`. */
export function isNameLetter(character: string): boolean {
  return character === 'ℒ' || (NAME_LETTER_SCRIPT.test(character) && NAME_LETTER_CATEGORY.test(character));
}

export function isAsciiDigit(character: string): boolean {
  return character.length === 1 && character >= '0' && character <= '9';
}

function isSubscriptDigit(character: string): boolean {
  return character.length === 1 && character >= '₀' && character <= '₉';
}

/** A character that may continue a name besides `_`: letters, digits, subscript digits, a combining hat. */
export function isNameContinuation(character: string): boolean {
  return isNameLetter(character) || isAsciiDigit(character) || isSubscriptDigit(character) || character === '\u0302';
}

export function isWhitespace(character: string): boolean {
  return /^\s$/u.test(character);
}
