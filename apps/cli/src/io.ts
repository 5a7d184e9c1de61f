import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ChainruleError } from '@chainrule/graph';
import { decodeUtf8 } from '@chainrule/problem';

/** The directory the user ran the command in (pnpm runs root scripts from the workspace root and keeps the original in INIT_CWD). */
export const userDirectory = (): string => process.env.INIT_CWD ?? process.cwd();

/** A path as the user typed it, resolved against the directory they ran the command in. @example resolveUserPath('problem.json') */
export function resolveUserPath(file: string): string {
  return path.resolve(userDirectory(), file);
}

/** Reads a UTF-8 text file the user named, with a clear error when it cannot be read or is not UTF-8. @example readUserFile('problem.json') */
export function readUserFile(file: string): string {
  const resolved = resolveUserPath(file);
  try {
    if (statSync(resolved).isDirectory()) throw new ChainruleError('problem', `${file} is a directory, not a file`, {}, { status: 400 });
    // Strictly: a file in another encoding is an error naming the byte, not names silently changed.
    return decodeUtf8(readFileSync(resolved), file);
  } catch (error) {
    if (error instanceof ChainruleError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new ChainruleError('problem', `cannot read ${file}: ${reason}`, {}, { status: 400 });
  }
}

/**
 * Runs `read` on the contents of a file the user named; a fault in what it finds is reported with
 * the file's name in front (`problem.json: values.W1[2]: …`), as a compiler names the file.
 *
 * @example
 * const network = inUserFile('slides.json', (text) => parseLayeredNetwork(parseJson(text, 'slides.json')));
 */
export function inUserFile<T>(file: string, read: (text: string) => T, hint?: string): T {
  const text = readUserFile(file);
  try {
    return read(text);
  } catch (error) {
    if (!(error instanceof ChainruleError) || error.code === 'internal') throw error;
    const described = error.describe();
    const named = described.startsWith(file) ? described : `${file}: ${described}`;
    throw new ChainruleError(error.code, hint ? `${named}\n${hint}` : named, {}, { status: error.status, cause: error });
  }
}
