import { Command } from 'commander';
import { backpropCommand } from './commands/backprop.ts';
import { checkCommand } from './commands/check.ts';
import { graphCommand } from './commands/graph.ts';
import { solveCommand } from './commands/solve.ts';
import { variantsCommand } from './commands/variants.ts';

/** The `chainrule` program with all its commands. @example await program().parseAsync(process.argv) */
export function program(): Command {
  const root = new Command('chainrule')
    .description('backpropagation the way a textbook does it: equations → graph → gradient graph → worked solutions')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addCommand(solveCommand())
    .addCommand(graphCommand())
    .addCommand(backpropCommand())
    .addCommand(checkCommand())
    .addCommand(variantsCommand());
  // addCommand() does not pass these settings on to the subcommands.
  for (const command of root.commands) command.exitOverride().showHelpAfterError('(run with --help for usage)');
  return root;
}
