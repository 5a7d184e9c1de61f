import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportGraph } from '@chainrule/export';
import { parseJson, parseLayeredNetwork } from '@chainrule/problem';
import { ChainruleError } from '@chainrule/tensor';
import { QUESTIONS, type Question } from '@chainrule/assignment9';
import { type SolveRequest, solutionDocument, solve } from '@chainrule/service';
import { SOLUTION_FORMATS, type SolutionFormat, renderSolution } from '@chainrule/solutions';
import { Argument, Command, Option } from 'commander';
import { inUserFile, resolveUserPath } from '../io.ts';
import { formatOption, parseDecimals } from '../options.ts';
import { note, startProgress, stdoutColor, writeData } from '../output.ts';

interface SolveOptions {
  format: SolutionFormat;
  round?: number;
  decimals?: number;
  network?: string;
  out?: string;
}

/** `chainrule solve [q1|q2|q3|all]`: the reference solutions of Assignment 9. @example solveCommand().parseAsync(['node', 'solve', 'q3']) */
export function solveCommand(): Command {
  return new Command('solve')
    .description('print the reference solution of Assignment 9 (all questions, or one)')
    .addArgument(new Argument('[question]', 'which question').choices([...QUESTIONS, 'all']).default('all'))
    .addOption(formatOption('output format', SOLUTION_FORMATS, { markdown: 'md' }))
    .option('-r, --round <N>', 'also show every intermediate result rounded to N decimals (Q3 shows 2 by default)', parseDecimals)
    .option('-d, --decimals <N>', 'decimals of float64 numbers (after σ, tanh, exp, log, softmax); exact numbers are written exactly', parseDecimals)
    .option('-n, --network <file>', "the network of the lecture's slides 73/74 for Question 1 (layered JSON); a stand-in otherwise")
    .option('-o, --out <dir>', 'write the whole solution sheet to DIR: .md, .tex, .pdf (when pdflatex exists), .svg and .dot figures, .json')
    .addHelpText(
      'after',
      `
Examples:
  $ chainrule solve                       all questions as terminal text
  $ chainrule solve q3 --format json      Q3's loss, values and gradients as JSON
  $ chainrule solve q1 --network slides.json
  $ chainrule solve all --out solution/   a whole sheet with PDF and figures`,
    )
    .action(async (question: Question | 'all', options: SolveOptions) => {
      const request: Omit<SolveRequest, 'format'> = {
        questions: question === 'all' ? [...QUESTIONS] : [question],
        ...(options.round === undefined ? {} : { round: options.round }),
        ...(options.decimals === undefined ? {} : { decimals: options.decimals }),
        ...(options.network ? { network: readNetwork(options.network), networkSource: options.network } : {}),
      };
      if (options.out) {
        await writeSheet(solutionDocument(request), resolveUserPath(options.out));
        return;
      }
      writeData((await solve({ ...request, format: options.format, color: stdoutColor() })).body);
    });
}

/** `--out DIR`: made if missing; a path that is a file, or cannot be made, is the user's error, not ours. */
function makeOutputDirectory(directory: string): void {
  const existing = statSync(directory, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) {
    throw new ChainruleError('problem', `--out ${directory}: is a file, not a directory (name a new or existing directory)`, {}, { status: 400 });
  }
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ChainruleError('problem', `--out ${directory}: cannot make the directory (${code ?? (error as Error).message})`, {}, { status: 400 });
  }
}

/** The lecture's layered network, validated here so that a fault names the file and the format. */
function readNetwork(file: string): unknown {
  return inUserFile(file, (text) => parseLayeredNetwork(parseJson(text, file)), LAYERED_FORMAT_HINT);
}

const LAYERED_FORMAT_HINT =
  'a layered network is {"input": [...], "target": [...], "layers": [{"W": [[...]], "b": [...], "activation": "sigmoid"}, ...], "loss": "half-squared-error"} — see examples/slides-73-74.json';

async function writeSheet(sheet: ReturnType<typeof solutionDocument>, directory: string): Promise<void> {
  makeOutputDirectory(directory);
  const figures = sheet.questions.flatMap((q) => q.blocks.flatMap((b) => (b.kind === 'figure' ? [b] : [])));
  const pdflatex = spawnSync('pdflatex', ['--version'], { stdio: 'ignore' }).status === 0;
  const progress = startProgress(3 + figures.length * 2 + (pdflatex ? 1 : 0), 'writing the solution sheet');
  const written: string[] = [];
  const write = (name: string, content: string) => {
    writeFileSync(path.join(directory, name), content);
    written.push(name);
    progress.tick(name);
  };
  try {
    write('solution.md', await renderSolution(sheet, 'md', { figureFiles: true }));
    write('solution.tex', await renderSolution(sheet, 'latex'));
    write('solution.json', await renderSolution(sheet, 'json'));
    for (const figure of figures) {
      write(`${figure.id}.svg`, await exportGraph(figure.graph, 'svg', { simplify: figure.simplify, title: figure.caption }));
      write(`${figure.id}.dot`, await exportGraph(figure.graph, 'dot', { simplify: figure.simplify, title: figure.caption }));
    }
    if (pdflatex) {
      const run = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'solution.tex'], { cwd: directory, encoding: 'utf8' });
      progress.tick('solution.pdf');
      if (run.status === 0) written.push('solution.pdf');
      else note(`pdflatex failed on solution.tex (see ${path.join(directory, 'solution.log')}); the other files are written`);
    }
  } finally {
    progress.stop();
  }
  if (!pdflatex) note('pdflatex is not installed: solution.tex is written, solution.pdf is not');
  note(`wrote ${written.join(', ')} to ${directory}`);
}
