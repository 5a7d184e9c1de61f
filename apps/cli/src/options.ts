import { InvalidArgumentError } from 'commander';

/** Parses a non-negative integer option such as `--round 2`. @example parseDecimals('2') // 2 */
export function parseDecimals(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 12) throw new InvalidArgumentError(`expected a whole number of decimals from 0 to 12, got '${value}'`);
  return n;
}
