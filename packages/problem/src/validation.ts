/**
 * The one mapping from zod's validation issues to chainrule's errors — for problem files,
 * layered networks, submissions, batch items and API requests alike — and the one way to move an
 * error's JSON path under a part of a larger request.
 */
import type { z } from 'zod';
import { ChainruleError } from '@chainrule/tensor';

type Issue = z.core.$ZodIssue;
/** One step of a JSON path: a property name or an array index. */
export type PathPart = string | number;

/** zod's own message of a union none of whose forms matched. */
const ZOD_UNION_MESSAGE = 'Invalid input';

/**
 * An issue's JSON path and message in words. A failed union is narrowed to the form the input
 * meant — the branch that got past the root with the fewest faults (then the deepest path) — and
 * its message is prefixed by the union's own description when it has one (`valueSchema`: "expected
 * a number, a vector … or a matrix …"). Unknown keys are named.
 *
 * @example
 * explainIssue(problemSchema.safeParse({ equations: 'y = W x', values: { W: [[1], 'row'] } }).error!.issues[0]!);
 * // { path: ['values', 'W', 1], message: 'expected a number, a vector (array of numbers) or a matrix (array of rows): Invalid input: expected array, received string' }
 */
export function explainIssue(issue: Issue): { path: PathPart[]; message: string } {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: { path: PathPart[]; message: string } | undefined;
    let bestCount = Number.POSITIVE_INFINITY;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (!first || first.path.length === 0) continue;
      const explained = explainIssue(first);
      if (branch.length < bestCount || (branch.length === bestCount && explained.path.length > best!.path.length)) {
        best = explained;
        bestCount = branch.length;
      }
    }
    const own = issue.message === ZOD_UNION_MESSAGE ? undefined : issue.message;
    if (best) return { path: [...path, ...best.path], message: own === undefined ? best.message : `${own}: ${best.message}` };
    if (own !== undefined) return { path, message: own };
    const messages = issue.errors.flatMap((branch) => (branch[0] ? [explainIssue(branch[0]).message] : []));
    return { path, message: messages.length > 0 ? `none of the allowed forms: ${messages.join('; or ')}` : 'none of the allowed forms' };
  }
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    return { path: [...path, issue.keys[0]!], message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}` };
  }
  return { path, message: issue.message };
}

/**
 * The first fault of a failed zod validation as a ChainruleError (code `problem`) with the JSON
 * path of the fault, under `prefix`.
 *
 * @example
 * const parsed = problemSchema.safeParse(input);
 * if (!parsed.success) throw fromZodError(parsed.error, ['problem']);
 */
export function fromZodError(error: z.ZodError, prefix: readonly PathPart[] = []): ChainruleError {
  const { path, message } = explainIssue(error.issues[0]!);
  return new ChainruleError('problem', message, { path: [...prefix, ...path] });
}

/**
 * The error with its JSON path moved under `prefix` (`values.W1` → `problem.values.W1`), for a
 * problem or submission that is one part of a request. Errors without a path (a timeout, an
 * equation's line and column alone) and other values are returned as they are. Extra members of
 * the error (an HTTP layer's details) are kept.
 *
 * @example
 * try { solve(request.problem); } catch (error) { throw prefixPath(error, ['problem']); }
 */
export function prefixPath(error: unknown, prefix: readonly PathPart[]): unknown {
  if (!(error instanceof ChainruleError) || prefix.length === 0 || error.location.path === undefined) return error;
  const moved = new ChainruleError(error.code, error.message, { ...error.location, path: [...prefix, ...error.location.path] }, { status: error.status, cause: error.cause });
  for (const [key, value] of Object.entries(error)) if (!Object.hasOwn(moved, key)) Object.assign(moved, { [key]: value });
  return moved;
}
