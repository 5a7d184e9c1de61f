// Summaries of timings, shared by measure(), the CPU-time sampler and the noise probe.

/** Timings of one {@link measure} call, in milliseconds. */
export interface Measurement {
  /** Every timed run, in the order they ran (warm-up runs excluded). */
  samples: number[];
  best: number;
  median: number;
}

/**
 * Best and median of a list of timings, e.g. to pool samples from several {@link measure} calls.
 *
 * @example
 * const pooled = summarize([...first.samples, ...second.samples]);
 */
export function summarize(samples: readonly number[]): Measurement {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { samples: [...samples], best: sorted[0]!, median };
}

