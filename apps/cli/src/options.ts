import { InvalidArgumentError, Option } from 'commander';

/** Parses a non-negative integer option such as `--round 2`. @example parseDecimals('2') // 2 */
export function parseDecimals(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 12) throw new InvalidArgumentError(`expected a whole number of decimals from 0 to 12, got '${value}'`);
  return n;
}

/**
 * A `--format` option whose choices have aliases (`md` and `markdown` name one format in every
 * command): the help lists every spelling, an unknown one is a usage error, the action sees the
 * canonical name.
 *
 * @example
 * formatOption('report format', ['text', 'markdown', 'json'], { md: 'markdown' });
 */
export function formatOption(description: string, formats: readonly string[], aliases: Readonly<Record<string, string>>): Option {
  const spellings = [...formats, ...Object.keys(aliases)];
  const option = new Option('-f, --format <format>', description).default('text');
  option.argChoices = spellings;
  return option.argParser((value: string) => {
    if (!spellings.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${spellings.join(', ')}.`);
    return Object.hasOwn(aliases, value) ? aliases[value]! : value;
  });
}
