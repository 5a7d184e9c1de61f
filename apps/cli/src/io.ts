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
