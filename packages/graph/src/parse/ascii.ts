/** The lexer's fast paths for ASCII text, by char code, and the one shared Name per spelling. */
import type { Name } from './ast.ts';
import { canonicalName } from './names.ts';
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
 * Names by spelling: a name recurs on every line that uses it, and a long problem holds many. One
 * immutable Name per spelling is shared by its tokens and nodes (fewer objects kept alive).
 */
const NAMES = new Map<string, Name>();
const NAMES_LIMIT = 10_000;
/** Letters and digits only: the canonical key of such a spelling is the spelling itself (parser.test.ts holds canonicalName to that). */
export const PLAIN_ASCII_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export function nameOf(spelled: string, plainAscii: boolean): Name {
  let name = NAMES.get(spelled);
  if (name === undefined) {
    name = Object.freeze({ key: plainAscii ? spelled : canonicalName(spelled).key, text: spelled });
    if (NAMES.size >= NAMES_LIMIT) NAMES.clear();
    NAMES.set(spelled, name);
  }
  return name;
}
