import type { z } from 'zod';
import { ChainruleError } from '@chainrule/tensor';

type Issue = z.core.$ZodIssue;

/** The issue of a failed union that got furthest into the value: its message names the real fault. */
function deepestBranchIssue(issue: Issue): Issue | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    for (const inner of branch) if (!best || inner.path.length > best.path.length) best = inner;
  }
  return best;
}

/**
 * The first fault of a failed zod validation as a ChainruleError with the JSON path of the fault
 * (one mapping for problem files, layered networks, submissions and API requests).
 *
 * @example
 * const parsed = problemSchema.safeParse(input);
 * if (!parsed.success) throw fromZodError(parsed.error, ['problem']);
 */
export function fromZodError(error: z.ZodError, prefix: readonly (string | number)[] = []): ChainruleError {
  const issue = error.issues[0]!;
  const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  if (issue.code === 'unrecognized_keys') {
    return new ChainruleError('problem', `unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}`, { path: [...path, issue.keys[0]!] });
  }
  const inner = deepestBranchIssue(issue);
  if (inner && inner.path.length > 0) {
    const innerPath = [...path, ...inner.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    return new ChainruleError('problem', `expected a number, a vector (array of numbers) or a matrix (array of rows): ${inner.message}`, { path: innerPath });
  }
  if (issue.code === 'invalid_union') {
    return new ChainruleError('problem', 'expected a number, a vector (array of numbers) or a matrix (array of rows)', { path });
  }
  return new ChainruleError('problem', issue.message, { path });
}
