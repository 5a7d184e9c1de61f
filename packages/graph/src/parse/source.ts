import { ChainruleError } from '@chainrule/tensor';
import type { Position } from './ast.ts';

/**
 * The one way the parser fails: a `'parse'` error at a line and column of the text as typed
 * (no JSON path: the caller that read the equations from a file adds it).
 */
export function parseError(message: string, pos: Position): ChainruleError {
  return new ChainruleError('parse', message, { line: pos.line, column: pos.column });
}

/** `'€' (U+20AC)`; invisible and combining characters by code point only. */
export function describeCharacter(character: string): string {
  const codePoint = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (character === ' ') return 'a space';
  if (character === '\t') return 'a tab';
  if (/^[\p{C}\p{Z}\p{M}]$/u.test(character)) return codePoint;
  return /^[\x21-\x7e]$/.test(character) ? `'${character}'` : `'${character}' (${codePoint})`;
}

/**
 * One piece of input text with the line/column of each of its UTF-16 offsets. Columns count code points.
 * A chunk without line breaks (or not split at them) and without surrogate pairs — nearly every
 * equation — needs no table: its column is its offset from the origin.
 */
export class SourceChunk {
  private readonly lines: Int32Array | undefined;
  private readonly columns: Int32Array | undefined;
  private readonly origin: Position;
  /** Whether the text holds a line break (`\n` or `\r`) anywhere. */
  readonly hasLineBreak: boolean;
  /** Whether the text holds a backslash or an `&`: it may be LaTeX. */
  readonly mayBeLatex: boolean;

  /** `splitLines`: line breaks start new lines (a whole document); otherwise the chunk is one line (an array element). */
  constructor(
    readonly text: string,
    origin: Position,
    splitLines: boolean,
  ) {
    this.origin = origin;
    const found = scanCharacters(text);
    this.hasLineBreak = (found & LINE_BREAK) !== 0;
    this.mayBeLatex = (found & LATEX) !== 0;
    if ((found & SURROGATE) === 0 && !(splitLines && this.hasLineBreak)) return;
    this.lines = new Int32Array(text.length + 1);
    this.columns = new Int32Array(text.length + 1);
    let line = origin.line;
    let column = origin.column;
    for (let offset = 0; offset < text.length; offset++) {
      this.lines[offset] = line;
      this.columns[offset] = column;
      const code = text.charCodeAt(offset);
      const isLineBreak = code === 0x0a || (code === 0x0d && text.charCodeAt(offset + 1) !== 0x0a);
      const isHighSurrogateOfPair = code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(offset + 1) & 0xfc00) === 0xdc00;
      if (isLineBreak && splitLines) {
        line++;
        column = 1;
      } else if (!isHighSurrogateOfPair) {
        column++;
      }
    }
    this.lines[text.length] = line;
    this.columns[text.length] = column;
  }

  position(offset: number): Position {
    if (this.lines === undefined) {
      if (!(offset >= 0 && offset <= this.text.length)) return { line: 0, column: 0 };
      return { line: this.origin.line, column: this.origin.column + offset };
    }
    return { line: this.lines[offset] ?? 0, column: this.columns![offset] ?? 0 };
  }
}

const SURROGATE = 1;
const LINE_BREAK = 2;
const LATEX = 4;
/**
 * What one pass over the text finds, as bits: a high surrogate (positions differ from offsets: a
 * pair is one column, two offsets), a line break, a backslash or `&`.
 */
function scanCharacters(text: string): number {
  let found = 0;
  for (let offset = 0; offset < text.length; offset++) {
    const code = text.charCodeAt(offset);
    if (code >= 0xd800 && code <= 0xdbff) found |= SURROGATE;
    else if (code === 0x0a || code === 0x0d) found |= LINE_BREAK;
    else if (code === 0x5c || code === 0x26) found |= LATEX;
  }
  return found;
}

/** The input as chunks: a whole document (lines split at line breaks), or one chunk per array element (line = index + 1). */
export function toChunks(source: string | readonly string[]): SourceChunk[] {
  if (typeof source === 'string') return [new SourceChunk(source, { line: 1, column: 1 }, true)];
  if (!Array.isArray(source)) throw parseError('expected the equations as a string or an array of strings', { line: 1, column: 1 });
  return source.map((element: unknown, index) => {
    if (typeof element !== 'string') throw parseError(`expected a string, found ${typeof element}`, { line: index + 1, column: 1 });
    return new SourceChunk(element, { line: index + 1, column: 1 }, false);
  });
}
