import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Seeded, unbiased whole numbers: the same seed gives the same sequence on every machine. @example const random: SeededPicker = seededPicker(1); random.pick([0, 1]); */
export interface SeededPicker {
  /** A whole number in [from, to], both included. */
  int(from: number, to: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

/**
 * A seeded picker on pure-rand's xoroshiro128+ with its unbiased integer distribution (the
 * generator fast-check runs on), so variants are reproducible from their seed.
 *
 * @example
 * const random = seededPicker(7);
 * random.int(1, 6); // the same number every run with seed 7
 */
export function seededPicker(seed: number): SeededPicker {
  const rng = xoroshiro128plus(seed | 0);
  const int = (from: number, to: number) => uniformInt(rng, from, to);
  return { int, pick: (items) => items[int(0, items.length - 1)]! };
}
