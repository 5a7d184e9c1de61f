import { ChainruleError } from '@chainrule/graph';
import { CommanderError } from 'commander';
import pc from 'picocolors';
import { program } from './program.ts';

// `chainrule solve | head`: the reader went away; stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const fail = (message: string) => process.stderr.write(`${pc.isColorSupported && process.stderr.isTTY ? pc.red('error:') : 'error:'} ${message}\n`);

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed the message (or the help / version, with exit code 0); a usage error exits 2.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof ChainruleError && error.code !== 'internal') {
    fail(error.describe());
    process.exitCode = 1;
  } else {
    fail(`internal error: ${error instanceof Error ? error.message : String(error)} (please report it; set CHAINRULE_DEBUG=1 for details)`);
    if (process.env.CHAINRULE_DEBUG) console.error(error);
    process.exitCode = 70;
  }
}
