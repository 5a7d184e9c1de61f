import { type ParseError, type ParseErrorCode, parse, printParseErrorCode } from 'jsonc-parser';
import { ChainruleError } from '@chainrule/tensor';

/**
 * Parses strict JSON with errors that say where: the line and column of the first syntax error
 * (Node's `JSON.parse` often reports no position at all).
 *
 * @example
 * parseJson('{"a": 1,}', 'problem.json'); // throws: line 1, column 9: problem.json is not valid JSON: property name expected
 */
export function parseJson(text: string, source = 'input'): unknown {
  const errors: ParseError[] = [];
  // A byte-order mark is not JSON, but editors on Windows write one.
  const value: unknown = parse(text.replace(/^\uFEFF/, ''), errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    throw new ChainruleError('problem', `${source} is not valid JSON: ${describe(first.error)}`, { line, column }, { status: 400 });
  }
  return value;
}

function describe(code: ParseErrorCode): string {
  const words = printParseErrorCode(code).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words;
}
