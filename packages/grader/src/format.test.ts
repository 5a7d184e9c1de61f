import { tensor } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { describeShapeInWords, entryIndex, formatNumbers, formatValue } from './format.ts';

describe('report formatting', () => {
  it('writes up to 6 decimals, rounded half away from zero, or 6 significant digits below 0.001', () => {
    expect(formatValue(48.1977625)).toBe('48.197763');
    expect(formatValue(-2.0000005)).toBe('-2.000001');
    expect(formatValue(2.5)).toBe('2.5');
    expect(formatValue(0.000437123456)).toBe('0.000437123');
    expect(formatValue(1e-7)).toBe('1e-7');
    expect(formatValue(-0)).toBe('0');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
  it('writes vectors and matrices on one line, ragged ones as given', () => {
    expect(formatNumbers([2.55, 3.9])).toBe('[2.55, 3.9]');
    expect(formatNumbers([[1, 2], [3, 4.0000004]])).toBe('[[1, 2], [3, 4]]');
    expect(formatNumbers([[1, 2], [3]] as number[][])).toBe('[[1, 2], [3]]');
    expect(formatNumbers(7)).toBe('7');
  });
  it('names shapes and entries', () => {
    expect(describeShapeInWords([3])).toBe('a vector of 3');
    expect(describeShapeInWords([3, 4])).toBe('3×4');
    expect(entryIndex(tensor([[1, 2, 3], [4, 5, 6]]), 4)).toBe('[1][1]');
  });
});
