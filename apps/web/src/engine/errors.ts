import { ChainruleError } from '@chainrule/tensor';
import type { UserError } from '../model.ts';

/**
 * A thrown error as the page shows it: a {@link ChainruleError} keeps its message and location;
 * anything else is the program's fault and says so, without a stack trace.
 *
 * @example
 * toUserError(new ChainruleError('parse', 'expected a name', { line: 2, column: 6 }), 'equations').described;
 * // 'line 2, column 6: expected a name'
 */
export function toUserError(error: unknown, stage: UserError['stage']): UserError {
  if (error instanceof ChainruleError) {
    const result: UserError = { message: error.message, described: error.describe(), stage };
    if (error.location.line !== undefined) result.line = error.location.line;
    if (error.location.column !== undefined) result.column = error.location.column;
    if (error.location.path !== undefined) result.path = [...error.location.path];
    return result;
  }
  const message = `internal error: ${error instanceof Error ? error.message : String(error)}`;
  return { message, described: message, stage };
}
