import { ChainruleError } from '@chainrule/tensor';
import { PlainNames } from './ascii.ts';
import { Lexer } from './lexer.ts';
import { type SourceChunk, parseError } from './source.ts';
import type { Token } from './tokens.ts';

/** The tokens of every chunk up to the first lexical fault, which ends the stream (the tokens before it are kept). */
export interface LexedSource {
  chunks: { chunk: SourceChunk; tokens: Token[] }[];
  /** Whether the text used LaTeX syntax anywhere: a backslash command or `&=`. */
  sawLatex: boolean;
  error: ChainruleError | undefined;
}

/**
 * Tokenizes the chunks in order, stopping at the first lexical fault.
 *
 * @example
 * tokenize(toChunks('y = W x')).chunks[0].tokens.map((t) => t.text); // ['y', '=', 'W', 'x']
 */
export function tokenize(chunks: readonly SourceChunk[], names = new PlainNames()): LexedSource {
  const lexed: LexedSource = { chunks: [], sawLatex: false, error: undefined };
  for (const chunk of chunks) {
    const lexer = new Lexer(chunk, names);
    try {
      lexer.run();
    } catch (error) {
      if (!(error instanceof ChainruleError)) throw error;
      lexed.error = error;
    }
    lexed.chunks.push({ chunk, tokens: lexer.tokens });
    lexed.sawLatex ||= lexer.sawLatex;
    if (lexed.error) break;
  }
  return lexed;
}

/*
 * The grouping stage: the token stream of the whole input cut into equations. Equations end at line
 * breaks, at `;`, at LaTeX's `\\` and at `\begin`/`\end` of an environment (which must match); `&` of an
 * alignment is dropped; in LaTeX, a row broken over several lines is joined while a bracket or norm is
 * still open or an operator ends one line or starts the next.
 */

/** The tokens of one equation, and what ended it. */
export interface EquationTokens {
  chunk: SourceChunk;
  tokens: Token[];
  /** The `\\` or `\end{…}` that ended the row, if any. */
  terminator: Token | undefined;
}

const OPENING_KINDS: ReadonlySet<Token['kind']> = new Set<Token['kind']>(['(', '{', 'normOpen']);
const CLOSING_KINDS: ReadonlySet<Token['kind']> = new Set<Token['kind']>([')', '}', 'normClose']);
const CONTINUES_AFTER: ReadonlySet<Token['kind']> = new Set<Token['kind']>(['+', '-', '*', '/', 'matmul', '=', '^', ',', 'frac']);
const CONTINUES_BEFORE: ReadonlySet<Token['kind']> = new Set<Token['kind']>([
  '+', '-', '*', '/', 'matmul', '=', '^', ')', '}', 'normClose', 'postfixTranspose', 'postfixSquare', 'top',
]);

/**
 * Whether a LaTeX line starting with `first` continues the equation so far (a row broken over several
 * lines) rather than starting the next one: it does if a bracket or norm is still open, or an operator
 * ends the previous line or starts this one.
 */
function continuesEquation(soFar: readonly Token[], first: Token): boolean {
  let openBrackets = 0;
  let normBars = 0;
  for (const token of soFar) {
    if (OPENING_KINDS.has(token.kind)) openBrackets++;
    else if (CLOSING_KINDS.has(token.kind)) openBrackets--;
    else if (token.kind === 'normBar') normBars++;
  }
  const last = soFar.at(-1);
  return (
    openBrackets > 0 ||
    normBars % 2 === 1 ||
    (last !== undefined && CONTINUES_AFTER.has(last.kind)) ||
    CONTINUES_BEFORE.has(first.kind)
  );
}

/** Ends the equation so far (if it has tokens) and starts the next one. */
function flush(items: (EquationTokens | ChainruleError)[], chunk: SourceChunk, current: Token[], terminator: Token | undefined): Token[] {
  if (current.length === 0) return current;
  items.push({ chunk, tokens: current, terminator });
  return [];
}

/**
 * Splits the token stream into equations (in order, interleaved with faults found while splitting, so
 * that the first fault in the text is the one reported). A lexer error ends the stream; the equation it
 * interrupted is dropped, since its tokens are incomplete.
 */
export function groupEquations(
  lexed: readonly { chunk: SourceChunk; tokens: readonly Token[] }[],
  options: { latex: boolean; oneEquationPerLine: boolean; lexError: ChainruleError | undefined },
): (EquationTokens | ChainruleError)[] {
  const items: (EquationTokens | ChainruleError)[] = [];
  const openEnvironments: Token[] = [];
  for (let chunkIndex = 0; chunkIndex < lexed.length; chunkIndex++) {
    const { chunk, tokens } = lexed[chunkIndex]!;
    let current: Token[] = [];
    let lastLine = 0;
    for (const token of tokens) {
      if (current.length > 0 && options.oneEquationPerLine && token.pos.line !== lastLine) {
        const continues = options.latex && (token.kind === 'align' || continuesEquation(current, token));
        if (!continues) current = flush(items, chunk, current, undefined);
      }
      lastLine = token.pos.line;
      if (token.kind === 'rowEnd' || token.kind === ';') {
        current = flush(items, chunk, current, token);
      } else if (token.kind === 'beginEnvironment') {
        current = flush(items, chunk, current, token);
        openEnvironments.push(token);
      } else if (token.kind === 'endEnvironment') {
        current = flush(items, chunk, current, token);
        const opened = openEnvironments.pop();
        if (opened === undefined || opened.kind !== 'beginEnvironment') {
          items.push(parseError(`'${token.text}' without a matching '\\begin{${token.environment}}'`, token.pos));
        } else if (opened.environment !== token.environment) {
          items.push(parseError(`'${token.text}' does not match '${opened.text}' at line ${opened.pos.line}`, token.pos));
        }
      } else if (token.kind === 'align') {
        if (!options.latex) items.push(parseError("unexpected character '&'", token.pos));
      } else {
        current.push(token);
      }
    }
    const interruptedLine = chunkIndex === lexed.length - 1 ? options.lexError?.location.line : undefined;
    const wasInterrupted =
      interruptedLine !== undefined && (options.latex || !options.oneEquationPerLine || current.at(-1)?.pos.line === interruptedLine);
    if (!wasInterrupted) flush(items, chunk, current, undefined);
  }
  return items;
}
