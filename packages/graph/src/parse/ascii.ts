/** The lexer's fast paths for ASCII text, by char code. */
import type { Name } from './ast.ts';
import { SIMPLE_CHARACTERS } from './notation.ts';
import type { OperatorKind, PunctuationKind } from './tokens.ts';

/*
 * Most text is ASCII: the lexer reads char codes, and only a character outside ASCII goes through
 * the notation's Unicode tables (isNameLetter, isWhitespace).
 */
export const isAsciiLetterCode = (code: number): boolean => (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
export const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;
/** The ASCII characters of `\s`. */
export const isAsciiSpaceCode = (code: number): boolean => code === 32 || (code >= 9 && code <= 13);

/** `+ - * ( ) { } , ^ = ; @` by char code: one token each (`/` may start a comment, so it is not here). */
export const SINGLE_ASCII_TOKENS: readonly (OperatorKind | PunctuationKind | undefined)[] = (() => {
  const table: (OperatorKind | PunctuationKind | undefined)[] = [];
  for (const character of '+-*(){},^=;@') table[character.charCodeAt(0)] = SIMPLE_CHARACTERS[character];
  return table;
})();

/**
 * The {@link Name}s of spellings of ASCII letters and digits (`W1`, `h12`, `x`: the key is the
 * spelling), shared by the tokens that write one: a name recurs on the lines that use it, and a
 * long text keeps one Name and one string for it instead of one per token. A small table indexed
 * by a hash of the spelling, not a Map: a spelling that finds another in its place replaces it.
 *
 * @example
 * const names = new PlainNames();
 * names.name('W1') === names.name('W1'); // true
 */
export class PlainNames {
  readonly #table = new Array<Name | undefined>(PLAIN_NAMES_SIZE);

  name(text: string): Name {
    const length = text.length;
    const hash = (length * 31 + text.charCodeAt(0) * 7 + text.charCodeAt(length >> 1) * 17 + text.charCodeAt(length - 1) * 131) & (PLAIN_NAMES_SIZE - 1);
    const known = this.#table[hash];
    if (known !== undefined && known.text === text) return known;
    const name = { key: text, text };
    this.#table[hash] = name;
    return name;
  }
}
const PLAIN_NAMES_SIZE = 64;
