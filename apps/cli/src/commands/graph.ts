import { EXPORT_FORMATS, type ExportFormat, exportGraph } from '@chainrule/export';
import { gradientGraph } from '@chainrule/graph';
import { problemGraph } from '@chainrule/problem';
import { Command, Option } from 'commander';
import { writeData } from '../output.ts';
import { loadProblem } from './problem.ts';

interface GraphOptions {
  gradients?: boolean;
  simplify?: boolean;
  wrt?: string[];
  format: ExportFormat;
}

/** `chainrule graph PROBLEM`: the computational graph, optionally with gradient nodes. @example graphCommand() */
export function graphCommand(): Command {
  return new Command('graph')
    .description('draw the computational graph of a problem (Question 2a), with --gradients the nodes backpropagation adds (2b)')
    .argument('<problem>', 'a problem file (JSON) or a file of equations (ASCII, Unicode or LaTeX)')
    .option('-g, --gradients', 'add the gradient nodes for the parameters (wrt)')
    .option('-s, --simplify', 'leave out added nodes with one input and one output')
    .option('-w, --wrt <names...>', 'parameters to differentiate for (default: the problem file\'s "wrt")')
    .addOption(new Option('-f, --format <format>', 'output format').choices(EXPORT_FORMATS).default('json'))
    .addHelpText('after', '\nExample:\n  $ chainrule graph q2.tex --gradients --wrt W1 W2 W3 --format dot | dot -Tpng > q2b.png')
    .action(async (file: string, options: GraphOptions) => {
      const problem = loadProblem(file);
      const wrt = options.wrt ?? problem.wrt;
      const forward = problemGraph(problem, { wrt });
      const graph = options.gradients ? gradientGraph(forward, wrt) : forward;
      writeData(await exportGraph(graph, options.format, { simplify: options.simplify ?? false }));
    });
}
