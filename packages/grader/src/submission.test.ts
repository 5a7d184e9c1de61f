import { ChainruleError } from '@chainrule/graph';
import { describe, expect, it } from 'vitest';
import { gradeSubmission } from './grade.ts';
import { submissionSchema } from './submission.ts';

function errorOf(submission: unknown): ChainruleError {
  try {
    gradeSubmission('q3', submission);
  } catch (error) {
    if (error instanceof ChainruleError) return error;
    throw error;
  }
  throw new Error('expected a ChainruleError');
}

describe('submissions', () => {
  it('are strict objects of loss, values and gradients', () => {
    expect(submissionSchema.safeParse({ loss: 1, values: { u1: [1] }, gradients: { W1: [[1]] } }).success).toBe(true);
    expect(submissionSchema.safeParse({ loss: 1, extra: 2 }).success).toBe(false);
  });

  it.each([
    [{ values: { foo: [1] } }, 'values.foo', /'foo' is not a name in the equations \(values: u1, .*x, .*W1/],
    [{ gradients: { foo: [1] } }, 'gradients.foo', /'foo' is not a name in the equations \(gradients: .*W1/],
    [{ gradients: { x: [1, 2, 3, 4] } }, 'gradients.x', /∂L\/∂x is not a step of the backward pass/],
    [{ gradients: { L: 1 } }, 'gradients.L', /∂L\/∂L = 1 is not a step/],
    [{ grads: {} }, 'grads', /unknown field 'grads'/],
    [{ values: { u1: 'abc' } }, 'values.u1', /expected a number, a vector .* or a matrix/],
    [{ values: { u1: [[1, 2], [3]] } }, 'values.u1', /ragged/],
    [{ loss: 48.2, values: { L: 48.3 } }, 'values.L', /L is given twice with different numbers \(loss: 48.2, here: 48.3\)/],
    [[1, 2], '', /a submission is an object/],
  ])('%j is refused with its JSON path', (submission, path, message) => {
    const error = errorOf(submission);
    expect(error.status).toBe(422);
    expect(error.describe()).toMatch(path ? `${path}: ` : /^a submission/);
    expect(error.message).toMatch(message);
  });

  it('accept the same value given twice with the same numbers (loss and values.L)', () => {
    expect(gradeSubmission('q3', { loss: 48.1977625, values: { L: 48.1977625 } }).items.L!.status).toBe('correct');
    expect(gradeSubmission('q3', { loss: 48.24, values: { L: [48.24] } }).items.L!.status).toBe('correct');
  });
});
