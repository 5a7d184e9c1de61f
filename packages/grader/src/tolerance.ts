/**
 * The tolerance rule of the grader. One place, so the code, the report header and the docs agree.
 *
 * A value is accepted when a careful student could have written it — in every mode: computed
 * exactly or rounded at every step, from the reference values or from the student's own earlier
 * values (error carried forward). Which of these four readings accepted it is in the report.
 *
 * Rounding mode N ("rounded to N decimals at every intermediate step"): an entry is accepted
 * when it lies within one unit of the N-th decimal (10^-N) of any reading. One unit rather than
 * half: a rounding tie, or rounding inside one step (each square of ‖y − ŷ‖² before summing),
 * moves the last digit by one. A mistake of 0.1 with N = 2 is ten units.
 *
 * Exact mode: an entry is accepted when it lies within max(1e-6·|c|, 1e-9, 10^-d) of an exact
 * reading c (from the reference or from the student's own values), where d is the number of
 * decimals the student wrote, but at least 2 and at least enough for 3 significant digits of c.
 * JSON drops trailing zeros, so 48.2 is read as 48.20 (and accepted for 48.1977…); the floor
 * stops coarse numbers from passing: 1 for 0.7 and 0.0004 for 0.000437 are wrong. One unit of
 * the last decimal (not half) accepts truncation as well as rounding. A submission written with
 * N decimals (1 to 6) is also read as rounded to N at every step, within one unit of the N-th.
 */
import { roundNumber } from '@chainrule/tensor';

/** Decimals of a number as JSON writes it (shortest form): 2.5 → 1, 1e-7 → 7, 1.5e-7 → 8, 3 → 0. */
export function decimalsOf(v: number): number {
  // Read off the shortest form in place (no split: it runs for every entry of every value graded).
  if (!Number.isFinite(v) || Number.isInteger(v)) return 0;
  const text = String(v);
  const e = text.indexOf('e');
  const dot = text.indexOf('.');
  const fraction = dot < 0 ? 0 : (e < 0 ? text.length : e) - dot - 1;
  return e < 0 ? fraction : Math.max(0, fraction - Number(text.slice(e + 1)));
}

/** Decimals an exact-mode answer must be read with: at least 2, and enough for 3 significant digits of `c`. */
export function neededDecimals(c: number): number {
  if (c === 0 || !Number.isFinite(c)) return 2;
  return Math.max(2, 2 - Math.floor(Math.log10(Math.abs(c))));
}

/** Room for binary floating-point noise (8.83 − 8.82 is 0.010000000000000231). */
const slack = (c: number) => 1e-12 * Math.max(1, Math.abs(c));

/** Rounding mode N: `v` is within one unit of the N-th decimal of `c`. */
export function acceptsRounded(v: number, c: number, decimals: number): boolean {
  return Math.abs(v - c) <= 10 ** -decimals + slack(c);
}

/** Exact mode: `v` is `c` to the precision the student wrote (see the rule above). */
export function acceptsExact(v: number, c: number): boolean {
  const d = Math.max(decimalsOf(v), neededDecimals(c));
  return Math.abs(v - c) <= Math.max(1e-6 * Math.abs(c), 1e-9, 10 ** -d + slack(c));
}

/**
 * The tensor core's one rounding (half away from zero, robust to binary noise), under the name
 * grade.ts imports. New code should import `roundNumber` from `@chainrule/tensor`.
 *
 * @example
 * roundHalfAway(2.675, 2); // 2.68
 */
export const roundHalfAway = roundNumber;

/**
 * The tolerance rule in words, for the header of a report.
 *
 * @example
 * describeTolerance(2);    // 'rounded to 2 decimals at every step: an entry is accepted within 0.01 of …'
 * describeTolerance(null); // 'exact arithmetic: …'
 */
export function describeTolerance(round: number | null): string {
  const readings = 'of the value computed exactly or rounded at every step, from the reference values or from your own earlier values';
  if (round === null) {
    return (
      'exact arithmetic: an entry is accepted within one unit of its last written decimal (read with at least 2 decimals ' +
      `and 3 significant digits, so 48.2 counts as 48.20 and 0.0004 for 0.000437 is wrong) or 1e-6 relative, ${readings} ` +
      '(rounded to the decimals you wrote)'
    );
  }
  const unit = 10 ** -round;
  return `rounded to ${round} decimal${round === 1 ? '' : 's'} at every step: an entry is accepted within ${roundNumber(unit, round)} (one unit${round === 0 ? '' : ` of the ${ordinal(round)} decimal`}) ${readings}`;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
