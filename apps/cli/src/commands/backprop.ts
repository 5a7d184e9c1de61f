import { workedSolution } from '@chainrule/service';
import { SOLUTION_FORMATS, type SolutionFormat } from '@chainrule/solutions';
import { Command, Option } from 'commander';
import { parseDecimals } from '../options.ts';
import { stdoutColor, writeData } from '../output.ts';
import { loadProblem } from './problem.ts';

interface BackpropOptions {
  format: SolutionFormat;
  round?: number;
  decimals?: number;
}

/** `chainrule backprop PROBLEM`: the worked forward and backward pass of any problem file. @example backpropCommand() */
export function backpropCommand(): Command {
  return new Command('backprop')
    .description('forward and backward pass of a problem file, every step worked')
    .argument('<problem>', 'a problem file (JSON): equations, functions, values, wrt')
    .addOption(new Option('-f, --format <format>', 'output format').choices(SOLUTION_FORMATS).default('text'))
    .option('-r, --round <N>', 'also show every intermediate result rounded to N decimals', parseDecimals)
    .option('-d, --decimals <N>', 'decimals of float64 numbers (after σ, tanh, exp, log, softmax); exact numbers are written exactly', parseDecimals)
    .addHelpText('after', '\nExample:\n  $ chainrule backprop problem.json --round 2\n  $ chainrule backprop problem.json --format json | jq .gradients')
    .action(async (file: string, options: BackpropOptions) => {
      const { body } = await workedSolution({
        problem: loadProblem(file),
        title: `Backpropagation: ${file}`,
        format: options.format,
        color: stdoutColor(),
        ...(options.round === undefined ? {} : { round: options.round }),
        ...(options.decimals === undefined ? {} : { decimals: options.decimals }),
      });
      writeData(body);
    });
}
