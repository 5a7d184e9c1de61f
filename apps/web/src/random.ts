/**
 * "New numbers": random values of the same shapes, on the grid the sheet's numbers sit on —
 * whole numbers stay whole (in their range), 0/1 targets stay 0/1 (one-hot where they were), and
 * other values become multiples of 0.05 in [−1, 1] or the range they had.
 */
import type { Numbers } from './model.ts';

/** New values for every leaf. @example newNumbers({ x: [1, 2], W: [[0.1, 0.2]] }, Math.random) */
export function newNumbers(values: Record<string, Numbers>, random: () => number = Math.random): Record<string, Numbers> {
  const out: Record<string, Numbers> = {};
  for (const [name, value] of Object.entries(values)) out[name] = fresh(value, random);
  return out;
}

function fresh(value: Numbers, random: () => number): Numbers {
  const flat = Array.isArray(value) ? (value as (number | number[])[]).flat() : [value];
  const draw = sampler(flat, random);
  if (flat.every((v) => v === 0 || v === 1) && flat.filter((v) => v === 1).length === 1 && flat.length > 1) {
    const hot = Math.floor(random() * flat.length);
    return reshape(value, flat.map((_, i) => (i === hot ? 1 : 0)));
  }
  return reshape(value, flat.map(() => draw()));
}

function sampler(flat: number[], random: () => number): () => number {
  const min = Math.min(...flat);
  const max = Math.max(...flat);
  if (flat.every(Number.isInteger)) {
    const lo = Math.min(min, 0);
    const hi = Math.max(max, lo + 4);
    return () => lo + Math.floor(random() * (hi - lo + 1));
  }
  const lo = Math.min(min, max >= 0 && min >= 0 ? 0 : -1);
  const hi = Math.max(max, 1);
  const steps = Math.round((hi - lo) / 0.05);
  return () => Math.round((lo + Math.floor(random() * (steps + 1)) * 0.05) * 100) / 100;
}

function reshape(like: Numbers, flat: number[]): Numbers {
  if (!Array.isArray(like)) return flat[0]!;
  if (like.length > 0 && Array.isArray(like[0])) {
    let i = 0;
    return (like as number[][]).map((row) => row.map(() => flat[i++]!));
  }
  return flat;
}
