import { ChainruleError } from '@chainrule/tensor';
import { scanLayerIndex } from './layer-index.ts';
import { greekLetterForCommand, sharedName, withHat, withLayerIndex } from './names.ts';
import {
  CLOSING_DELIMITER_COMMANDS,
  ENVIRONMENTS,
  HAT_COMMANDS,
  IGNORED_COMMANDS,
  NAME_WRAPPER_COMMANDS,
  OPENING_DELIMITER_COMMANDS,
  OPERATOR_NAME_COMMANDS,
  SIMPLE_CHARACTERS,
  SIMPLE_COMMANDS,
  SIZING_DELIMITER_COMMANDS,
  UNSUPPORTED_COMMAND_HINTS,
  VULGAR_FRACTIONS,
  characterHint,
  isAsciiDigit,
  isNameCommand,
  isNameContinuation,
  isNameLetter,
  isSubscriptDigit,
  isWhitespace,
} from './notation.ts';
import { PlainNames, SINGLE_ASCII_TOKENS, isAsciiLetterCode, isAsciiSpaceCode, isDigitCode } from './ascii.ts';
import { type SourceChunk, describeCharacter, parseError } from './source.ts';
import type { OperatorKind, PunctuationKind, Token } from './tokens.ts';

/*
 * LaTeX is tokenized directly, by the same lexer as ASCII and Unicode, rather than rewritten to ASCII first:
 * every token then carries the line/column of its first character as typed, with no offset map to keep in
 * step with the rewrites, and one grammar serves all three notations. Columns count code points.
 */

/** Deeper nesting than this is refused, so that no input can exhaust the call stack. */
export const MAX_NESTING_DEPTH = 200;

const LATEX_WORD = /[A-Za-z]+/y;

/** Splits a chunk into tokens, skipping whitespace, comments and LaTeX spacing. */
export class Lexer {
  readonly tokens: Token[] = [];
  /** Whether the text used LaTeX syntax: a backslash command or `&=`. */
  sawLatex = false;
  private index = 0;
  private readonly text: string;

  /** `names`: the names of letters and digits, shared by the lexers of one text. */
  constructor(
    private readonly chunk: SourceChunk,
    private readonly names: PlainNames = new PlainNames(),
  ) {
    this.text = chunk.text;
  }

  run(): void {
    const text = this.text;
    while (this.index < text.length) {
      // Spaces between tokens, here rather than a call each.
      if (text.charCodeAt(this.index) === 0x20) this.index++;
      else this.lexNext();
    }
  }

  private characterAt(offset: number): string {
    const codePoint = this.text.codePointAt(offset);
    return codePoint === undefined ? '' : String.fromCodePoint(codePoint);
  }

  private describeAt(offset: number): string {
    const character = this.characterAt(offset);
    if (character === '' || character === '\n' || character === '\r') return 'end of line';
    return describeCharacter(character);
  }

  private skipWhitespace(offset: number): number {
    let cursor = offset;
    while (cursor < this.text.length && isWhitespace(this.characterAt(cursor))) cursor += this.characterAt(cursor).length;
    return cursor;
  }

  private error(message: string, offset: number): ChainruleError {
    return parseError(message, this.chunk.position(offset));
  }

  private push(kind: OperatorKind | PunctuationKind, start: number, end: number): void {
    this.tokens.push({ kind, text: this.text.slice(start, end), offset: start, end, pos: this.chunk.position(start) });
    this.index = end;
  }

  /** Pushes a name ending at `end`, with the layer index that follows it, if any (`a^{(1)}`, `a⁽¹⁾`). */
  /** `asciiOnly`: letters and digits only, whose key is the spelling itself (most names: `W1`, `h12`, `x`). */
  private pushName(text: string, plain: boolean, start: number, end: number, asciiOnly = false): void {
    const next = this.text.charCodeAt(end);
    const layer =
      next === 0x5e || next === 0x207d
        ? scanLayerIndex(this.text, end, (message, offset) => {
            throw this.error(message, offset);
          })
        : undefined;
    const spelled = layer ? withLayerIndex(text, layer.index, layer.bracket) : text;
    const nameEnd = layer?.end ?? end;
    const raw = plain && !layer ? text : this.text.slice(start, nameEnd);
    const pos = this.chunk.position(start);
    this.tokens.push({ kind: 'name', name: asciiOnly && !layer ? this.names.name(text) : sharedName(spelled), plain: plain && !layer, text: raw, offset: start, end: nameEnd, pos });
    if (layer?.transpose) {
      const { offset, text: marker } = layer.transpose;
      this.tokens.push({ kind: 'postfixTranspose', text: marker, offset, end: nameEnd, pos: this.chunk.position(offset) });
    }
    this.index = nameEnd;
  }

  /** `_2`, `_{2}`, `₂`, `_F` after a norm: `‖v‖₂²`. */
  private lexNormIndex(start: number): void {
    const match = /^(?:[₀-₉]+|_(?:\d|F)|_\{\s*(?:\d+|F)\s*\})/.exec(this.text.slice(start, start + 12))?.[0] ?? '';
    const index = match.replace(/[_{}\s]/g, '').replace(/[₀-₉]/g, (digit) => String(digit.charCodeAt(0) - 0x2080));
    this.tokens.push({ kind: 'normIndex', index, text: match, offset: start, end: start + match.length, pos: this.chunk.position(start) });
    this.index = start + match.length;
  }

  private lexNext(): void {
    const start = this.index;
    const code = this.text.charCodeAt(start);
    if (code < 0x80) {
      if (isAsciiSpaceCode(code)) {
        this.index++;
        return;
      }
      if (isAsciiLetterCode(code)) {
        const asciiEnd = this.asciiNameEnd(start);
        const next = this.text.charCodeAt(asciiEnd);
        // `_` or a character past ASCII (`₃`, a hat) may continue the name: the full scan decides.
        const asciiOnly = !(next >= 0x80 || next === 0x5f);
        const end = asciiOnly ? asciiEnd : this.scanPlainName(start);
        this.pushName(this.text.slice(start, end), true, start, end, asciiOnly);
        return;
      }
      if (isDigitCode(code) || (code === 0x2e && isDigitCode(this.text.charCodeAt(start + 1)))) {
        this.lexNumber(start);
        return;
      }
      const kind = SINGLE_ASCII_TOKENS[code];
      if (kind !== undefined) {
        this.tokens.push({ kind, text: this.text[start]!, offset: start, end: start + 1, pos: this.chunk.position(start) });
        this.index = start + 1;
        return;
      }
      // `/` (not `//`, a comment) and `||`: as below, without the Unicode tests.
      const after = this.text.charCodeAt(start + 1);
      if (code === 0x2f && after !== 0x2f) return this.push('/', start, start + 1);
      if (code === 0x7c && after === 0x7c) return this.push('normBar', start, start + 2);
    }
    const character = this.characterAt(start);
    if (isWhitespace(character) || character === '$' || character === '~') {
      this.index += character.length;
      return;
    }
    if (character === '#' || character === '%' || (character === '/' && this.text[start + 1] === '/')) {
      while (this.index < this.text.length && this.text[this.index] !== '\n' && this.text[this.index] !== '\r') this.index++;
      return;
    }
    if (isAsciiDigit(character) || (character === '.' && isAsciiDigit(this.characterAt(start + 1)))) {
      this.lexNumber(start);
      return;
    }
    if (isNameLetter(character)) {
      const end = this.scanPlainName(start);
      this.pushName(this.text.slice(start, end), true, start, end);
      return;
    }
    const fraction = VULGAR_FRACTIONS.get(character);
    if (fraction !== undefined) {
      this.tokens.push({ kind: 'fraction', numerator: fraction[0], denominator: fraction[1], text: character, offset: start, end: start + 1, pos: this.chunk.position(start) });
      this.index = start + 1;
      return;
    }
    if (isSubscriptDigit(character) || (character === '_' && /^(?:\d|F(?![A-Za-z])|\{\s*(?:\d+|F)\s*\})/.test(this.text.slice(start + 1, start + 8)))) {
      this.lexNormIndex(start);
      return;
    }
    if (character === '\\') {
      this.lexCommand(start);
      return;
    }
    if (character === ':' && this.text[start + 1] === '=') {
      this.push('=', start, start + 2);
      return;
    }
    if (character === '|') {
      if (this.text[start + 1] === '|') {
        this.push('normBar', start, start + 2);
        return;
      }
      throw this.error("unexpected character '|': absolute values are not supported; write ||v||^2 for a squared norm", start);
    }
    if (character === '&') {
      if (this.text[this.skipWhitespace(start + 1)] === '=') this.sawLatex = true;
      this.push('align', start, start + 1);
      return;
    }
    const kind = SIMPLE_CHARACTERS[character];
    if (kind !== undefined) {
      this.push(kind, start, start + character.length);
      return;
    }
    const isDerivativePrime = "'′’".includes(character) && this.text[this.skipWhitespace(start + 1)] === '(';
    const hint = isDerivativePrime ? ': derivatives are not written in the equations: write the forward equations, chainrule derives the rest' : characterHint(character);
    throw this.error(`unexpected character ${describeCharacter(character)}${hint}`, start);
  }

  /** `12`, `0.5`, `.5`, `3.`, `1e-3`: digits, a point and digits, an exponent if digits follow it. */
  private lexNumber(start: number): void {
    const text = this.text;
    let end = start;
    while (isDigitCode(text.charCodeAt(end))) end++;
    if (text.charCodeAt(end) === 0x2e) {
      end++;
      while (isDigitCode(text.charCodeAt(end))) end++;
    }
    const e = text.charCodeAt(end);
    if (e === 0x65 || e === 0x45) {
      let exponent = end + 1;
      const sign = text.charCodeAt(exponent);
      if (sign === 0x2b || sign === 0x2d) exponent++;
      if (isDigitCode(text.charCodeAt(exponent))) {
        while (isDigitCode(text.charCodeAt(exponent))) exponent++;
        end = exponent;
      }
    }
    const literal = text.slice(start, end);
    const value = Number(literal);
    if (!Number.isFinite(value)) throw this.error(`the number ${literal} is too large`, start);
    this.tokens.push({ kind: 'number', value, text: literal, offset: start, end, pos: this.chunk.position(start) });
    this.index = end;
  }

  /** The end of the run of ASCII letters and digits at `start`. */
  private asciiNameEnd(start: number): number {
    let cursor = start + 1;
    for (;;) {
      const code = this.text.charCodeAt(cursor);
      if (!(isAsciiLetterCode(code) || isDigitCode(code))) return cursor;
      cursor++;
    }
  }

  /** The end of a name typed as letters: `W3`, `W_3`, `W_{3}`, `W₃`, `y_hat`, `ŷ` (precomposed or combining). */
  private scanPlainName(start: number): number {
    let cursor = start + this.characterAt(start).length;
    for (;;) {
      const code = this.text.charCodeAt(cursor);
      if (isAsciiLetterCode(code) || isDigitCode(code)) {
        cursor++;
        continue;
      }
      // Anything else but `_` and non-ASCII (subscripts, a combining hat) ends the name; so does the end of the text (NaN).
      if (!(code >= 0x80) && code !== 0x5f) return cursor;
      const character = this.characterAt(cursor);
      if (character !== '' && isNameContinuation(character)) {
        cursor += character.length;
      } else if (character === '_') {
        const subscriptStart = cursor + 1;
        const next = this.characterAt(subscriptStart);
        if (next === '{') {
          cursor = this.scanBracedSubscript(subscriptStart);
        } else if (next !== '' && isNameContinuation(next) && next !== '\u0302') {
          cursor = subscriptStart;
        } else {
          throw this.error(`expected a subscript after '_', found ${this.describeAt(subscriptStart)}`, subscriptStart);
        }
      } else {
        return cursor;
      }
    }
  }

  /** `{3}` of `W_{3}`: letters, digits and spaces. Returns the offset after `}`. */
  private scanBracedSubscript(openBrace: number): number {
    let cursor = openBrace + 1;
    let sawContent = false;
    for (;;) {
      const character = this.characterAt(cursor);
      if (character === '}') {
        if (!sawContent) throw this.error("expected a subscript inside '_{…}', found '}'", cursor);
        return cursor + 1;
      }
      if (character !== '' && isNameContinuation(character)) {
        sawContent = true;
      } else if (character === '' || !isWhitespace(character) || character === '\n' || character === '\r') {
        throw this.error(
          `expected '}' to close '_{' opened at column ${this.chunk.position(openBrace).column}, found ${this.describeAt(cursor)}`,
          cursor,
        );
      }
      cursor += character.length;
    }
  }

  private lexCommand(start: number): void {
    this.sawLatex = true;
    const afterBackslash = start + 1;
    const next = this.characterAt(afterBackslash);
    if (next === '\\') {
      let end = start + 2;
      // `\\[2pt]`: extra row spacing.
      const spacing = /^\[[^\]\n\r]*\]/.exec(this.text.slice(end, end + 40));
      if (spacing) end += spacing[0].length;
      this.push('rowEnd', start, end);
      return;
    }
    LATEX_WORD.lastIndex = afterBackslash;
    const command = LATEX_WORD.exec(this.text)?.[0];
    if (command === undefined) {
      if (next === '') throw this.error("unexpected '\\' at the end of the line", start);
      if (next === '|') return this.push('normBar', start, start + 2);
      if (next === '{') return this.push('(', start, start + 2);
      if (next === '}') return this.push(')', start, start + 2);
      // Spacing (`\,` `\;` `\!` `\:` `\ `) and math-mode delimiters (`\[ \]`, `\( \)`).
      if (',;!: >[]()'.includes(next) || isWhitespace(next)) {
        this.index = afterBackslash + next.length;
        return;
      }
      throw this.error(`unsupported LaTeX command '\\${next}'`, start);
    }
    const commandEnd = afterBackslash + command.length;
    if (isNameCommand(command)) {
      const name = this.readCommandName(start, 0);
      const subscript = this.readLatexSubscript(name.end);
      this.pushName(name.text + subscript.text, false, start, subscript.end);
      return;
    }
    if (IGNORED_COMMANDS.has(command)) {
      this.index = commandEnd;
      return;
    }
    const simple = SIMPLE_COMMANDS[command];
    if (simple !== undefined) return this.push(simple, start, commandEnd);
    if (OPENING_DELIMITER_COMMANDS.has(command)) return this.lexSizedDelimiter(start, commandEnd, command, 'normOpen');
    if (CLOSING_DELIMITER_COMMANDS.has(command)) return this.lexSizedDelimiter(start, commandEnd, command, 'normClose');
    if (SIZING_DELIMITER_COMMANDS.has(command)) return this.lexSizedDelimiter(start, commandEnd, command, 'normBar');
    if (command === 'begin' || command === 'end') return this.lexEnvironment(start, commandEnd, command);
    if (command === 'label') {
      this.index = this.readBracedWord(start, commandEnd, command).end;
      return;
    }
    const hint = UNSUPPORTED_COMMAND_HINTS[command];
    throw this.error(`unsupported LaTeX command '\\${command}'${hint === undefined ? '' : `: ${hint}`}`, start);
  }

  /** The delimiter after `\left`, `\right`, `\big`…: `(`, `)` or a norm bar (`\|`, `‖`, `\Vert`, `\lVert`, `\rVert`). */
  private lexSizedDelimiter(start: number, commandEnd: number, command: string, normKind: 'normOpen' | 'normClose' | 'normBar'): void {
    const at = this.skipWhitespace(commandEnd);
    const character = this.characterAt(at);
    if (character === '(') return this.push('(', start, at + 1);
    if (character === ')') return this.push(')', start, at + 1);
    if (character === '\\' && this.text[at + 1] === '{') return this.push('(', start, at + 2);
    if (character === '\\' && this.text[at + 1] === '}') return this.push(')', start, at + 2);
    if (character === '‖') return this.push(normKind, start, at + 1);
    if (character === '|' && this.text[at + 1] === '|') return this.push(normKind, start, at + 2);
    if (character === '\\') {
      if (this.text[at + 1] === '|') return this.push(normKind, start, at + 2);
      LATEX_WORD.lastIndex = at + 1;
      const word = LATEX_WORD.exec(this.text)?.[0];
      const end = at + 1 + (word?.length ?? 0);
      if (word === 'Vert') return this.push(normKind, start, end);
      if (word === 'lVert') return this.push('normOpen', start, end);
      if (word === 'rVert') return this.push('normClose', start, end);
    }
    if (character === '|') {
      throw this.error(`'\\${command}|' is an absolute value, which is not supported; write \\left\\| v \\right\\|^2 for a squared norm`, at);
    }
    throw this.error(`expected '(', ')' or '\\|' after '\\${command}', found ${this.describeAt(at)}`, at);
  }

  private lexEnvironment(start: number, commandEnd: number, command: 'begin' | 'end'): void {
    const { word: environment, end } = this.readBracedWord(start, commandEnd, command);
    if (!ENVIRONMENTS.has(environment)) {
      throw this.error(`unsupported LaTeX environment '${environment}' (use aligned, align, align* or equation)`, start);
    }
    this.tokens.push({
      kind: command === 'begin' ? 'beginEnvironment' : 'endEnvironment',
      environment,
      text: this.text.slice(start, end),
      offset: start,
      end,
      pos: this.chunk.position(start),
    });
    this.index = end;
  }

  /** `{aligned}` after `\begin`. */
  private readBracedWord(start: number, commandEnd: number, command: string): { word: string; end: number } {
    const open = this.skipWhitespace(commandEnd);
    if (this.text[open] !== '{') throw this.error(`expected '{' after '\\${command}', found ${this.describeAt(open)}`, open);
    const close = /^[^{}\n\r]*\}/.exec(this.text.slice(open + 1, open + 200));
    if (!close) throw this.error(`expected '}' to close '\\${command}{' at column ${this.chunk.position(start).column}`, open);
    return { word: close[0].slice(0, -1).trim(), end: open + 1 + close[0].length };
  }

  /**
   * A name made by LaTeX commands at `start` (a backslash): `\sigma`, `\boldsymbol{W}`, `\hat{\boldsymbol{y}}`,
   * `\hat y`. Returns the name with the markup stripped (`ŷ`) and the offset after it.
   */
  private readCommandName(start: number, depth: number): { text: string; end: number } {
    if (depth > MAX_NESTING_DEPTH) throw this.error(`LaTeX commands nested deeper than ${MAX_NESTING_DEPTH} levels`, start);
    LATEX_WORD.lastIndex = start + 1;
    const command = LATEX_WORD.exec(this.text)?.[0] ?? '';
    const commandEnd = start + 1 + command.length;
    const greek = greekLetterForCommand(command);
    if (greek !== undefined) return { text: greek, end: commandEnd };
    if (OPERATOR_NAME_COMMANDS.has(command)) return { text: command, end: commandEnd };
    if (!NAME_WRAPPER_COMMANDS.has(command) && !HAT_COMMANDS.has(command)) {
      throw this.error(`expected a name, found '\\${command}'`, start);
    }
    const argument = this.readNameArgument(start, commandEnd, command, depth + 1);
    return { text: HAT_COMMANDS.has(command) ? withHat(argument.text) : argument.text, end: argument.end };
  }

  /** The argument of `\boldsymbol`, `\hat`…: `{W_3}`, `{\boldsymbol{y}}`, or one letter or command (`\hat y`). */
  private readNameArgument(start: number, commandEnd: number, command: string, depth: number): { text: string; end: number } {
    const at = this.skipWhitespace(commandEnd);
    const character = this.characterAt(at);
    if (character === '{') {
      const contentStart = this.skipWhitespace(at + 1);
      const first = this.characterAt(contentStart);
      let content: { text: string; end: number };
      if (isNameLetter(first)) {
        const end = this.scanPlainName(contentStart);
        content = { text: this.text.slice(contentStart, end), end };
      } else if (first === '\\' && this.isNameCommandAt(contentStart)) {
        const name = this.readCommandName(contentStart, depth);
        const subscript = this.readLatexSubscript(name.end);
        content = { text: name.text + subscript.text, end: subscript.end };
      } else {
        throw this.error(`expected a name inside '\\${command}{…}', found ${this.describeAt(contentStart)}`, contentStart);
      }
      // `\boldsymbol{W^{(1)}}`: a layer index inside the style.
      const layer = scanLayerIndex(this.text, content.end, (message, offset) => {
        throw this.error(message, offset);
      });
      if (layer?.transpose) throw this.error(`write the transpose after '}': \\${command}{…}^T`, layer.transpose.offset);
      if (layer) content = { text: withLayerIndex(content.text, layer.index, layer.bracket), end: layer.end };
      const close = this.skipWhitespace(content.end);
      if (this.text[close] !== '}') {
        throw this.error(
          `expected '}' to close '\\${command}{' opened at column ${this.chunk.position(start).column}, found ${this.describeAt(close)}`,
          close,
        );
      }
      return { text: content.text, end: close + 1 };
    }
    if (isNameLetter(character)) return { text: character, end: at + character.length };
    if (character === '\\' && this.isNameCommandAt(at)) return this.readCommandName(at, depth);
    throw this.error(`expected a name after '\\${command}', found ${this.describeAt(at)}`, at);
  }

  private isNameCommandAt(offset: number): boolean {
    LATEX_WORD.lastIndex = offset + 1;
    return isNameCommand(LATEX_WORD.exec(this.text)?.[0] ?? '');
  }

  /**
   * A subscript after a LaTeX name, with LaTeX's rule: one character (`_3`) or a group (`_{3}`), so that
   * `\boldsymbol{W}_3x` is W₃ times x. Returns `_3` (or `''` if there is none) and the offset after it.
   */
  private readLatexSubscript(offset: number): { text: string; end: number } {
    if (this.text[offset] !== '_') return { text: '', end: offset };
    const at = offset + 1;
    const character = this.characterAt(at);
    if (character === '{') {
      const end = this.scanBracedSubscript(at);
      return { text: `_${this.text.slice(at + 1, end - 1).trim()}`, end };
    }
    if (character !== '' && character !== '\u0302' && isNameContinuation(character)) return { text: `_${character}`, end: at + character.length };
    throw this.error(`expected a subscript after '_', found ${this.describeAt(at)}`, at);
  }
}
