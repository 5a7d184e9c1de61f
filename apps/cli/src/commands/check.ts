import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChainruleError } from '@chainrule/graph';
import { type Problem, parseJson } from '@chainrule/problem';
import { getDefaultPool } from '@chainrule/compute';
import { type BatchEntry, type PointsScheme, type ReportFormat, summaryCsv, summaryTable } from '@chainrule/grader';
import { check, checkClass } from '@chainrule/service';
import { formatTable } from '@chainrule/tensor';
import { Command, Option } from 'commander';
import { readUserFile, resolveUserPath } from '../io.ts';
import { formatOption, parseDecimals } from '../options.ts';
import { note, startProgress, writeData } from '../output.ts';
import { loadProblem } from './problem.ts';
import { gradeByVariant, readRoster } from './variants.ts';

interface CheckOptions {
  round?: number;
  exact?: boolean;
  format: ReportFormat;
  csv?: string;
  variants?: string;
}

const problemArgument = (name: string): Problem | 'q1' | 'q3' => (name === 'q1' || name === 'q3' ? name : loadProblem(name));

/** `chainrule check PROBLEM SUBMISSION`: grade a student's worked solution (or a folder of them). @example checkCommand() */
export function checkCommand(): Command {
  return new Command('check')
    .description("grade a student's hand-computed solution, with error carried forward (a folder grades the whole class)")
    .argument('<problem>', 'q1, q3, or a problem file (JSON)')
    .argument('<submission>', 'a submission (JSON: loss, values, gradients — any part may be missing), or a folder of them')
    .option('-r, --round <N>', 'the student rounds every intermediate result to N decimals (the sheet allows 2)', parseDecimals)
    .option('--exact', 'judge against exact arithmetic only')
    .addOption(formatOption('report format', ['text', 'markdown', 'json'], { md: 'markdown' }))
    .option('--csv <file>', 'with a folder: also write the class summary as CSV')
    .option('--variants <roster>', "with a folder: a CSV saying which variant each student answers (columns student, variant); PROBLEM is then the folder 'chainrule variants' wrote")
    .addHelpText(
      'after',
      '\nExit code: 0 when every value is correct or carried, 3 when a value is wrong (the report says which), 1 for bad input.\n\nExamples:\n  $ chainrule check q3 alice.json --round 2\n  $ chainrule check q3 submissions/ --csv class.csv\n  $ chainrule check exam/ submissions/ --variants roster.csv --csv class.csv',
    )
    .action(async (problemName: string, submissionPath: string, options: CheckOptions) => {
      const gradeOptions = options.exact ? { round: null } : options.round === undefined ? {} : { round: options.round };
      const resolved = resolveUserPath(submissionPath);
      if (options.variants) {
        if (!statSafe(resolved)?.isDirectory()) throw new ChainruleError('problem', `--variants grades a class: ${submissionPath} must be a folder of submissions`);
        await checkFolder({ exam: problemName, roster: readRoster(options.variants, problemName) }, submissionPath, resolved, gradeOptions, options);
        return;
      }
      const problem = problemArgument(problemName);
      if (statSafe(resolved)?.isDirectory()) {
        await checkFolder(problem, submissionPath, resolved, gradeOptions, options);
        return;
      }
      const submission = parseJson(readUserFile(submissionPath), submissionPath);
      // The two files are separate: their faults are located in each file, not in one request.
      const result = await check({ problem, submission, format: options.format, ...gradeOptions, paths: { problem: [], submission: [] } });
      writeData('json' in result ? JSON.stringify(result.json, null, 2) : result.body);
      if (result.firstWrong) process.exitCode = 3;
    });
}

function statSafe(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

async function checkFolder(
  problem: Problem | 'q1' | 'q3' | { exam: string; roster: ReadonlyMap<string, string> },
  shownPath: string,
  directory: string,
  gradeOptions: { round?: number | null },
  options: CheckOptions,
): Promise<void> {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort();
  if (files.length === 0) {
    note(`no .json submissions in ${shownPath}`);
    return;
  }
  const submissions: { id: string; submission: unknown }[] = [];
  const unreadable: BatchEntry[] = [];
  for (const file of files) {
    const id = file.replace(/\.json$/, '');
    try {
      submissions.push({ id, submission: parseJson(readUserFile(path.join(shownPath, file)), file) });
    } catch (error) {
      unreadable.push({ id, error: { message: error instanceof ChainruleError ? error.describe() : String(error), code: 'problem', status: 400 } });
    }
  }
  // A class is graded on the worker pool in chunks, so the progress bar moves as chunks finish.
  const pool = getDefaultPool();
  const progress = startProgress(submissions.length, 'grading');
  let graded: BatchEntry[];
  try {
    const gradeClass = async (against: Problem | 'q1' | 'q3', group: typeof submissions, points?: PointsScheme) =>
      (await checkClass({ problem: against, submissions: group, ...gradeOptions, ...(points ? { points } : {}) }, { pool, onProgress: (count) => progress.tick(`${count} more`) })).results;
    // A class with exam variants: each submission against the variant the roster gives it.
    graded = typeof problem === 'object' && 'exam' in problem ? await gradeByVariant(problem.exam, problem.roster, submissions, gradeClass) : await gradeClass(problem, submissions);
  } finally {
    progress.stop();
    await pool.close();
  }
  const order = new Map(files.map((file, index) => [file.replace(/\.json$/, ''), index]));
  const results = [...graded, ...unreadable].sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const rows = summaryTable(results);
  if (options.format === 'json') {
    writeData(JSON.stringify({ summary: rows }, null, 2));
  } else {
    const withVariant = rows.some((r) => r.variant !== undefined);
    const header = ['submission', ...(withVariant ? ['variant'] : []), 'points', 'first wrong', 'correct', 'carried', 'wrong', 'missing'];
    const table = rows.map((r) => [r.id, ...(withVariant ? [r.variant ?? '–'] : []), r.error !== null ? 'error' : r.points === null ? '–' : `${r.points}/${r.maxPoints ?? '–'}`, r.error ?? r.firstWrong ?? '–', r.correct, r.carried, r.wrong, r.missing].map(String));
    writeData(formatTable(header, table).map((line) => line.trimEnd()).join('\n'));
  }
  if (rows.some((row) => row.firstWrong !== null || row.error !== null)) process.exitCode = 3;
  if (options.csv) {
    writeFileSync(resolveUserPath(options.csv), summaryCsv(results));
    note(`wrote the class summary to ${options.csv}`);
  }
}
