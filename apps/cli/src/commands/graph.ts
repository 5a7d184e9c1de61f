import { EXPORT_FORMATS, type ExportFormat } from '@chainrule/export';
import { graph } from '@chainrule/service';
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeData } from '../output.ts';
import { loadProblem } from './problem.ts';

interface GraphOptions {
  gradients?: boolean;
  simplify?: boolean;
  wrt?: string[];
  format: ExportFormat;
  functions?: Record<string, string>;
}

/** One `--functions` argument, `f=relu`, added to the bindings before it; the problem then validates the names. */
function addBinding(binding: string, previous: Record<string, string> = {}): Record<string, string> {
  const match = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(binding);
  if (!match) throw new InvalidArgumentError(`'${binding}' is not a binding: write NAME=FUNCTION, e.g. f=relu`);
  return { ...previous, [match[1]!]: match[2]! };
}

/** `chainrule graph PROBLEM`: the computational graph, optionally with gradient nodes. @example graphCommand() */
export function graphCommand(): Command {
  return new Command('graph')
    .description('draw the computational graph of a problem (Question 2a), with --gradients the nodes backpropagation adds (2b)')
    .argument('<problem>', 'a problem file (JSON) or a file of equations (ASCII, Unicode or LaTeX)')
    .option('-g, --gradients', 'add the gradient nodes for the parameters (wrt)')
    .option('-s, --simplify', 'leave out added nodes with one input and one output')
    .option('-F, --functions <bindings...>', 'bind function names, e.g. f=relu (a file of bare equations has no "functions")', addBinding)
    .option('-w, --wrt <names...>', 'parameters to differentiate for (default: the problem file\'s "wrt")')
    .addOption(new Option('-f, --format <format>', 'output format').choices(EXPORT_FORMATS).default('json'))
    .addHelpText('after', '\nExample:\n  $ chainrule graph examples/q2.tex --functions f=relu --gradients --wrt W1 W2 W3 --format dot | dot -Tpng > q2b.png')
    .action(async (file: string, options: GraphOptions) => {
      const problem = loadProblem(file);
      const bindings = options.functions;
      const { body } = await graph({
        problem: bindings ? { ...problem, functions: { ...problem.functions, ...bindings } } : problem,
        format: options.format,
        gradients: options.gradients ?? false,
        simplify: options.simplify ?? false,
        ...(options.wrt === undefined ? {} : { wrt: options.wrt }),
      });
      writeData(body);
    });
}
