// The verdict on one step: the readings a careful student could have written for it, and which
// of them accepts the value given. The reference readings are judged first; the student's own
// readings (error carried forward) are asked for only when no reference reading accepts it.
import { type Tensor, transpose } from '@chainrule/tensor';
import { entryIndex, formatValue } from './format.ts';
import { fitShape } from './fit.ts';
import type { GradeItem, Reading } from './grade.ts';
import type { GivenValue } from './submission.ts';
import { acceptsExact, acceptsRounded } from './tolerance.ts';

/** A step's verdict, and the value that stands for it in the student's worlds (`used`) where it is usable. */
export type Judged = Pick<GradeItem, 'status' | 'reason' | 'message' | 'reading'> & { used?: Tensor };

/** A value a careful student could have written for a step, and how it comes about. */
export interface Candidate {
  reading: Reading;
  value: Tensor;
  /** Whether entry `v` fits `c` in this reading. */
  accepts(v: number, c: number): boolean;
}

/**
 * The values of a step's readings, each computed when first asked for (`undefined` where a
 * reading does not exist): from the reference and from the student's own earlier values, exact
 * or rounded at every step to `d` decimals, and with each derivative f′ worked out from the
 * function's value h (σ′ = h(1 − h)) — `fromOutput`.
 */
export interface StepReadings {
  readonly exact: Tensor;
  referenceRounded(d: number): Tensor | undefined;
  referenceRoundedFromOutput(d: number): Tensor | undefined;
  own(): Tensor | undefined;
  ownRounded(d: number): Tensor | undefined;
  ownFromOutput(): Tensor | undefined;
  ownRoundedFromOutput(d: number): Tensor | undefined;
}

const OUTPUT = { derivative: 'output' } as const;

/** Rounding to 0–12 decimals: the acceptance of each, made once. */
const ROUNDED_ACCEPTS = Array.from({ length: 13 }, (_, d) => (v: number, c: number) => acceptsRounded(v, c, d));

/** A step's readings: the reference's, and what the student's own are made from when they are asked for. */
export interface Readings {
  reference: Candidate[];
  own?: { step: StepReadings; round: number | null; decimals: readonly number[] };
}

function pushRounded(list: Candidate[], from: 'reference' | 'own', value: Tensor | undefined, d: number, derivative?: typeof OUTPUT): void {
  if (value) list.push({ reading: { arithmetic: 'rounded', decimals: d, from, ...derivative }, value, accepts: ROUNDED_ACCEPTS[d]! });
}

/**
 * The readings of a step the problem computes, in order: reference readings (exact, rounded at
 * every step, rounded with derivatives from the functions' values), then — made only when judge
 * asks for them — the student's own. Rounding mode N judges each within one unit of the N-th
 * decimal; exact mode judges exact readings by {@link acceptsExact} and a rounded reading at the
 * decimals the entry is written with (or more: 2.5 at 2 decimals is 2.50), within one unit of them.
 *
 * @example
 * judge('u1', entry, readingsOf(step, 2, [2]), new Set(), 2);
 */
export function readingsOf(step: StepReadings, round: number | null, decimals: readonly number[]): Readings {
  const reference: Candidate[] = [{ reading: { arithmetic: 'exact', from: 'reference' }, value: step.exact, accepts: round === null ? acceptsExact : ROUNDED_ACCEPTS[round]! }];
  for (const d of decimals) pushRounded(reference, 'reference', step.referenceRounded(d), d);
  for (const d of decimals) pushRounded(reference, 'reference', step.referenceRoundedFromOutput(d), d, OUTPUT);
  return { reference, own: { step, round, decimals } };
}

/** The student's own readings of a step, in order: exact, rounded, exact and rounded with derivatives from the functions' values. */
function ownReadings({ step, round, decimals }: NonNullable<Readings['own']>): Candidate[] {
  const accepts = round === null ? acceptsExact : ROUNDED_ACCEPTS[round]!;
  const list: Candidate[] = [];
  const exact = step.own();
  if (exact) list.push({ reading: { arithmetic: 'exact', from: 'own' }, value: exact, accepts });
  for (const d of decimals) pushRounded(list, 'own', step.ownRounded(d), d);
  const fromOutput = step.ownFromOutput();
  if (fromOutput) list.push({ reading: { arithmetic: 'exact', from: 'own', ...OUTPUT }, value: fromOutput, accepts });
  for (const d of decimals) pushRounded(list, 'own', step.ownRoundedFromOutput(d), d, OUTPUT);
  return list;
}

/**
 * A given value's one reading: a copy, judged exactly whatever the mode.
 *
 * @example
 * judge('x', entry, copyReadings(exact), new Set(), 2);
 */
export const copyReadings = (exact: Tensor): Readings => ({ reference: [{ reading: { arithmetic: 'exact', from: 'reference' }, value: exact, accepts: acceptsExact }] });

function fits(value: Tensor, c: Candidate, i: number): boolean {
  return c.value.size === value.size && c.accepts(value.data[i]!, c.value.data[i]!);
}

/** Whether a reading accepts every entry. */
function whole(value: Tensor, c: Candidate): boolean {
  if (c.value.size !== value.size) return value.size === 0;
  for (let i = 0; i < value.size; i++) if (!c.accepts(value.data[i]!, c.value.data[i]!)) return false;
  return true;
}

/** Whether some reading accepts entry `i`. */
function someFits(value: Tensor, candidates: readonly Candidate[], i: number): boolean {
  for (const c of candidates) if (fits(value, c, i)) return true;
  return false;
}

/** The closest reading that accepts every entry (the first of equally close ones). */
function closest(value: Tensor, candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  let bestDeviation = Infinity;
  for (const c of candidates) {
    if (!whole(value, c)) continue;
    let deviation = 0;
    for (let i = 0; i < value.size; i++) deviation = Math.max(deviation, Math.abs(value.data[i]! - c.value.data[i]!));
    if (best === undefined || deviation < bestDeviation) {
      best = c;
      bestDeviation = deviation;
    }
  }
  return best;
}

/**
 * Judges a given value against a step's readings: `correct` when a reference reading accepts it
 * (the closest names the reading), `carried` when only the student's own readings do, or every
 * entry fits some reading, and earlier steps were wrong (`origins`); else `wrong`, with why.
 *
 * @example
 * judge('u1', entry, readingsOf(step, 2, [2]), new Set(), 2); // { status: 'correct', reading: { arithmetic: 'exact', from: 'reference' }, used }
 */
export function judge(label: string, entry: GivenValue, readings: Readings, origins: ReadonlySet<string>, round: number | null): Judged {
  const reference = readings.reference[0]!.value;
  const fit = fitShape(label, entry.value, reference.shape);
  if (!fit.ok) return { status: 'wrong', reason: fit.reason, message: fit.message };
  const v = fit.value;

  // The closest reading that accepts every entry; reference readings before the student's own.
  const fromReference = closest(v, readings.reference);
  if (fromReference) return { status: 'correct', used: v, reading: fromReference.reading };
  const own = readings.own ? ownReadings(readings.own) : [];
  const candidates = [...readings.reference, ...own];
  const fromOwn = closest(v, own);
  const perEntry = Array.from(v.data, (_, i) => someFits(v, candidates, i));
  if (fromOwn || perEntry.every(Boolean)) {
    const reading: Reading = fromOwn?.reading ?? { arithmetic: 'mixed', from: origins.size > 0 ? 'own' : 'reference' };
    if (origins.size === 0) return { status: 'correct', used: v, reading };
    return {
      status: 'carried',
      used: v,
      reading,
      message: `${label}: correct from your own ${listNames([...origins])} (error carried forward), ${describeReading(reading)}`,
    };
  }

  if (v.rank === 2 && v.shape[0] === v.shape[1] && v.shape[0]! > 1) {
    const flipped = transpose(v);
    if (Array.from(flipped.data, (_, i) => someFits(flipped, candidates, i)).every(Boolean)) {
      return { status: 'wrong', reason: 'transposed', used: v, message: `${label}: given the transpose of the ${v.shape.join('×')} matrix — transposed?` };
    }
  }

  const wrongEntries = perEntry.flatMap((ok, i) => (ok ? [] : [i]));
  const ownValue = candidates.find((c) => c.reading.from === 'own' && c.reading.arithmetic === (round === null ? 'exact' : 'rounded'))?.value;
  const shown = wrongEntries.slice(0, 3).map((i) => {
    const ownText = ownValue && origins.size > 0 ? `, from your own earlier values ${formatValue(ownValue.data[i]!)}` : '';
    const expected = round === null ? reference : (candidates.find((c) => c.reading.arithmetic === 'rounded')?.value ?? reference);
    return `${label}${entryIndex(v, i)}: expected ${formatValue(expected.data[i]!)}${ownText}, given ${formatValue(v.data[i]!)}`;
  });
  const more = wrongEntries.length > 3 ? ` (and ${wrongEntries.length - 3} more)` : '';
  return { status: 'wrong', reason: 'value', used: v, message: shown.join('; ') + more };
}

/** A reading in words: `computed exactly`, `rounded to 2 decimals at every step`. @example describeReading({ arithmetic: 'exact', from: 'own' }) */
export function describeReading(reading: Reading): string {
  const derivative = reading.derivative === 'output' ? ', with the derivative worked out from the function\'s value (σ′ = h(1 − h))' : '';
  if (reading.arithmetic === 'exact') return `computed exactly${derivative}`;
  if (reading.arithmetic === 'rounded') return `rounded to ${reading.decimals} decimal${reading.decimals === 1 ? '' : 's'} at every step${derivative}`;
  return 'entries computed partly exactly, partly rounded';
}

function listNames(names: string[]): string {
  if (names.length === 1) return `value of ${names[0]}`;
  return `values of ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
