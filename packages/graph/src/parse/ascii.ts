/** The lexer's fast paths for ASCII text, by char code. */
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
