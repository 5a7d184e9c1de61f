import { SingleBar } from 'cli-progress';
import pc from 'picocolors';

/** Colour on stdout only for a terminal, and never with NO_COLOR (picocolors checks both). */
export const stdoutColor = (): boolean => pc.isColorSupported && process.stdout.isTTY === true;

/** Writes data to stdout, ending with one newline. @example writeData('{"a":1}') */
export function writeData(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A status line on stderr (never mixed into the data on stdout). @example note('wrote out/solution.pdf') */
export function note(text: string): void {
  process.stderr.write(`${pc.isColorSupported && process.stderr.isTTY ? pc.dim(text) : text}\n`);
}

/**
 * A progress bar on stderr for long work, shown only on a terminal.
 *
 * @example
 * const progress = startProgress(3, 'writing'); progress.tick('solution.md'); progress.stop();
 */
export function startProgress(total: number, title: string): { tick: (what: string) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { tick: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: `${title} [{bar}] {value}/{total} {what}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
  );
  bar.start(total, 0, { what: '' });
  return {
    tick: (what) => bar.increment(1, { what }),
    stop: () => bar.stop(),
  };
}
