import type { Numbers } from '../model.ts';

/**
 * Reads a number, vector or matrix as a student types it: JSON (`[[1, 2], [3, 4]]`), or numbers
 * separated by commas or spaces with rows separated by `;` or new lines (`1 2; 3 4`). A flat list
 * with as many numbers as a matrix has entries fills it row by row. Returns a message for text that
 * is not numbers.
 *
 * @example
 * readAnswer('2.55, 3.9, 2.5', [3]); // [2.55, 3.9, 2.5]
 * readAnswer('1 2; 3 4', [2, 2]);    // [[1, 2], [3, 4]]
 */
export function readAnswer(text: string, shape: readonly number[]): Numbers | string {
  const trimmed = text.trim().replace(/−/g, '-');
  if (trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (isNumbers(value)) return fit(value, shape);
    } catch {
      // fall through to the plain reading, which names the first bad token
    }
  }
  const rows = trimmed
    .replace(/^\[+|\]+$/g, '')
    .split(/\s*(?:;|\n|\],?\s*\[)\s*/)
    .map((row) => row.split(/[\s,]+/).filter((t) => t !== ''));
  const numbers: number[][] = [];
  for (const row of rows) {
    const values: number[] = [];
    for (const token of row) {
      const value = Number(token);
      if (!Number.isFinite(value)) return `'${token}' is not a number`;
      values.push(value);
    }
    if (values.length > 0) numbers.push(values);
  }
  if (numbers.length === 0) return 'no number';
  if (numbers.length === 1) return fit(numbers[0]!.length === 1 && shape.length === 0 ? numbers[0]![0]! : numbers[0]!, shape);
  return fit(numbers, shape);
}

function isNumbers(value: unknown): value is Numbers {
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every((v) => (typeof v === 'number' ? Number.isFinite(v) : Array.isArray(v) && v.every((w) => typeof w === 'number' && Number.isFinite(w))));
}

/** A flat list of a matrix's entry count, reshaped row by row; anything else as typed (the grader judges its shape). */
function fit(value: Numbers, shape: readonly number[]): Numbers {
  if (shape.length === 2 && Array.isArray(value) && value.every((v) => typeof v === 'number') && value.length === shape[0]! * shape[1]! && shape[0] !== 1) {
    const flat = value as number[];
    return Array.from({ length: shape[0]! }, (_, i) => flat.slice(i * shape[1]!, (i + 1) * shape[1]!));
  }
  if (shape.length === 0 && Array.isArray(value) && value.length === 1 && typeof value[0] === 'number') return value[0];
  return value;
}
