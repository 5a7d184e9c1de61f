import { isAsciiDigit, isNameLetter, isWhitespace } from './notation.ts';
import { plainOfSuperscript } from './names.ts';

/** A layer index after a name: `^{(1)}`, `^(1)`, `^{[l]}`, `⁽¹⁾`, `^{(k-1)}`, with the `T` of `W^{(2)T}` if any. */
export interface LayerIndex {
  /** The index as plain text: `1`, `k-1`. */
  index: string;
  bracket: '(' | '[';
  /** The offset after the index (after `}` or `)`/`⁾`). */
  end: number;
  /** A transpose written inside the superscript braces, `W^{(2)T}` or `W^{(2)\top}`. */
  transpose?: { offset: number; text: string };
}

type Fail = (message: string, offset: number) => never;

const TRANSPOSE_IN_BRACES = /^(?:T(?![A-Za-z])|⊤|ᵀ|\\top(?![A-Za-z])|\\intercal(?![A-Za-z])|\\(?:mathsf|mathrm|text|mathit)\s*\{\s*T\s*\})/u;

/**
 * The layer index written at `offset` right after a name, or `undefined` if there is none (`W^T` and `e^2`
 * are not layer indices: only a parenthesis or bracket after `^` makes one). Its characters are letters,
 * digits, `+` and `-`: it is read literally, as part of the name (`h^{(k-1)}` is the name h⁽ᵏ⁻¹⁾).
 */
export function scanLayerIndex(text: string, offset: number, fail: Fail): LayerIndex | undefined {
  if (text.startsWith('⁽', offset)) return scanRaisedIndex(text, offset, fail);
  if (text[offset] !== '^') return undefined;
  let cursor = skipWhitespace(text, offset + 1);
  const braced = text[cursor] === '{';
  if (braced) cursor = skipWhitespace(text, cursor + 1);
  const open = text[cursor];
  if (open !== '(' && open !== '[') return undefined;
  const close = open === '(' ? ')' : ']';
  const contentStart = cursor + 1;
  cursor = contentStart;
  while (text[cursor] !== close) {
    const character = String.fromCodePoint(text.codePointAt(cursor) ?? 0);
    const allowed = isNameLetter(character) || isAsciiDigit(character) || '+-−'.includes(character) || (character !== '\n' && isWhitespace(character));
    if (cursor >= text.length || !allowed) {
      const found = cursor >= text.length || character === '\n' || character === '\r' ? 'end of line' : `'${character}'`;
      fail(`expected a layer index such as ${open}1${close} or ${open}k-1${close} after '^${braced ? '{' : ''}${open}', found ${found}`, cursor);
    }
    cursor += character.length;
  }
  const index = text.slice(contentStart, cursor).replace(/\s/gu, '').replaceAll('−', '-');
  if (index === '') fail(`expected a layer index inside '${open}${close}'`, cursor);
  cursor++;
  if (!braced) return { index, bracket: open, end: cursor };
  cursor = skipWhitespace(text, cursor);
  let transpose: LayerIndex['transpose'];
  const marker = TRANSPOSE_IN_BRACES.exec(text.slice(cursor, cursor + 20));
  if (marker) {
    transpose = { offset: cursor, text: marker[0] };
    cursor = skipWhitespace(text, cursor + marker[0].length);
  }
  if (text[cursor] !== '}') {
    const found = cursor >= text.length ? 'end of line' : `'${String.fromCodePoint(text.codePointAt(cursor) ?? 0)}'`;
    fail(`expected '}' to close the layer index '^{${open}${index}${close}', found ${found}`, cursor);
  }
  return { index, bracket: open, end: cursor + 1, ...(transpose ? { transpose } : {}) };
}

/** `⁽¹⁾`, `⁽ᵏ⁻¹⁾`: every character up to `⁾` must be a superscript. */
function scanRaisedIndex(text: string, offset: number, fail: Fail): LayerIndex {
  let cursor = offset + 1;
  let index = '';
  while (!text.startsWith('⁾', cursor)) {
    const character = String.fromCodePoint(text.codePointAt(cursor) ?? 0);
    const plain = cursor < text.length ? plainOfSuperscript(character) : undefined;
    if (plain === undefined || !/^[A-Za-z0-9+-]$/.test(plain)) {
      const found = cursor >= text.length || character === '\n' || character === '\r' ? 'end of line' : `'${character}'`;
      fail(`expected superscript letters or digits and '⁾' to close the layer index '⁽', found ${found}`, cursor);
    }
    index += plain;
    cursor += character.length;
  }
  if (index === '') fail("expected a layer index inside '⁽⁾'", cursor);
  return { index, bracket: '(', end: cursor + 1 };
}

function skipWhitespace(text: string, offset: number): number {
  let cursor = offset;
  while (cursor < text.length && text[cursor] !== '\n' && text[cursor] !== '\r' && isWhitespace(text[cursor]!)) cursor++;
  return cursor;
}
