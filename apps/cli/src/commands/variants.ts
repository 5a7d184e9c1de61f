import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChainruleError } from '@chainrule/graph';
import { type BatchEntry, type PointsScheme, questionPoints } from '@chainrule/grader';
import { type Problem, parseJson } from '@chainrule/problem';
import {
  type ConstraintsInput,
  MAX_VARIANTS,
  describeShortfall,
  generateVariants,
  resolveConstraints,
  variantFileNames,
  variantFiles,
  variantSource,
  variantsCsv,
} from '@chainrule/variants';
import { Command, InvalidArgumentError } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { readUserFile, resolveUserPath } from '../io.ts';
import { parseDecimals } from '../options.ts';
import { note, startProgress } from '../output.ts';
import { loadProblem } from './problem.ts';

interface VariantsOptions {
  count: number;
  seed: number;
  out: string;
  constraints?: string;
  weightMin?: number;
  weightMax?: number;
  weightStep?: number;
  inputMin?: number;
  inputMax?: number;
  targets?: number[];
  reluMargin?: number;
  minInactive?: number;
  round?: number;
  maxRoundingError?: number;
  maxDecimals?: number | false;
  zeroGradients?: boolean;
  maxAttempts?: number;
  sheets: boolean;
  pdf: boolean;
}

const wholeNumber = (what: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}, got '${value}'`);
  return n;
};
const decimalNumber = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
};
const numberList = (value: string) => value.split(',').map((part) => decimalNumber(part.trim()));

/**
 * `chainrule variants PROBLEM --count N --seed S --out DIR`: exam variants with keys and sheets.
 *
 * @example
 * variantsCommand().parseAsync(['node', 'variants', 'q3', '--count', '30', '--seed', '7', '--out', 'exam']);
 */
export function variantsCommand(): Command {
  return new Command('variants')
    .description('exam variants: the same equations with new numbers for every student, each with its answer key and sheets')
    .argument('<problem>', 'q1, q3, or a problem file (JSON with values: every value keeps its shape)')
    .requiredOption('-o, --out <dir>', 'the folder to write the variants to (made if missing)')
    .option('-n, --count <N>', `how many variants (1 to ${MAX_VARIANTS})`, wholeNumber('a count', 1, MAX_VARIANTS), 10)
    .option('-s, --seed <S>', 'the seed: the same seed writes byte-identical files', wholeNumber('a seed', 0, 0xffffffff), 1)
    .option('--constraints <file>', 'constraints as JSON (the fields below); the options below override it')
    .option('--weight-min <x>', 'parameters: smallest value (default -1)', decimalNumber)
    .option('--weight-max <x>', 'parameters: largest value (default 1)', decimalNumber)
    .option('--weight-step <x>', 'parameters: multiples of this (default 0.05)', decimalNumber)
    .option('--input-min <n>', 'inputs: smallest whole number (default 1)', wholeNumber('a whole number', -1e6, 1e6))
    .option('--input-max <n>', 'inputs: largest whole number (default 4)', wholeNumber('a whole number', -1e6, 1e6))
    .option('--targets <list>', 'targets: each entry one of these (default 0,1)', numberList)
    .option('--relu-margin <x>', 'every ReLU pre-activation at least this far from 0 (default 0.1)', decimalNumber)
    .option('--min-inactive <n>', 'inactive ReLU units at least (default 1)', wholeNumber('a count', 0, 1e6))
    .option('-r, --round <N>', 'decimals of the rounded path (default 2)', parseDecimals)
    .option('--max-rounding-error <x>', 'largest |exact − rounded| of a gradient entry (default 0.05)', decimalNumber)
    .option('--max-decimals <N>', 'exact values with at most N decimals where the ops allow it (default 4)', parseDecimals)
    .option('--no-max-decimals', 'do not limit the decimals of exact values')
    .option('--zero-gradients', 'allow a gradient that is all zero')
    .option('--max-attempts <N>', 'candidates to try in all before giving up (default 2000 per variant)', wholeNumber('a count', 1, 1e8))
    .option('--no-sheets', 'write only problem files, keys and variants.csv')
    .option('--no-pdf', 'no PDF even where pdflatex exists')
    .addHelpText(
      'after',
      `
Writes DIR/variant-01.problem.json (the same equations, new values), variant-01.key.json (loss,
values, gradients: exact, with "rounded" beside it), the student sheet variant-01.md/.tex/.pdf,
the worked key variant-01.key.md/.tex/.pdf, and DIR/variants.csv (variant, files, the key's loss).
A variant is written only when it keeps every constraint; when the attempts run out first, the
variants made are written and the command says which constraints failed (exit code 1).

Exit codes: 0 all variants written, 1 bad input or constraints not met, 2 usage error.

Examples:
  $ chainrule variants q3 --count 30 --seed 7 --out exam/
  $ chainrule variants q1 --count 5 --seed 1 --out q1-variants --input-min -2 --input-max 2
  $ chainrule variants problem.json --count 10 --out exam --weight-step 0.1 --no-pdf
  $ chainrule check exam/variant-07.problem.json alice.json --round 2`,
    )
    .action(async (source: string, options: VariantsOptions) => {
      const { problem, origin } = variantSource(source === 'q1' || source === 'q3' ? source : loadProblem(source), path.basename(source));
      const constraints = resolveConstraints(constraintsFrom(options));
      const set = generateVariants(problem, {
        count: options.count,
        seed: options.seed,
        constraints,
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      });
      const directory = resolveUserPath(options.out);
      mkdirSync(directory, { recursive: true });
      const files = await variantFiles(set, origin, { sheets: options.sheets });
      for (const file of files) writeFileSync(path.join(directory, file.name), file.content);
      let pdf = false;
      if (options.sheets && options.pdf && set.variants.length > 0) {
        pdf = writePdfs(directory, set.variants.flatMap((variant) => [variantFileNames(variant).sheet.tex, variantFileNames(variant).keySheet.tex]));
        if (pdf) writeFileSync(path.join(directory, 'variants.csv'), variantsCsv(set, { sheets: true, pdf }));
      }
      const written = set.variants.length * (options.sheets ? (pdf ? 8 : 6) : 2) + 1;
      note(`wrote ${plural(set.variants.length, 'variant')} (${plural(written, 'file')}${pdf ? ' with PDFs' : ''}) to ${options.out}`);
      const shortfall = describeShortfall(set);
      if (shortfall) throw new ChainruleError('problem', `${shortfall}. Loosen those constraints or raise --max-attempts; no variant that breaks one was written`);
    });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The constraints file, then the options over it. */
function constraintsFrom(options: VariantsOptions): ConstraintsInput {
  const base = (options.constraints ? parseJson(readUserFile(options.constraints), options.constraints) : {}) as Record<string, unknown>;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) {
    throw new ChainruleError('problem', `${options.constraints}: constraints must be a JSON object`);
  }
  const merged: Record<string, unknown> = { ...base };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) merged[key] = value;
  };
  const part = (key: 'weights' | 'inputs', fields: Record<string, number | undefined>) => {
    const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    if (Object.keys(given).length > 0) merged[key] = { ...((base[key] as object | undefined) ?? {}), ...given };
  };
  part('weights', { min: options.weightMin, max: options.weightMax, step: options.weightStep });
  part('inputs', { min: options.inputMin, max: options.inputMax });
  set('targets', options.targets);
  set('reluMargin', options.reluMargin);
  set('minInactive', options.minInactive);
  set('round', options.round);
  set('maxRoundingError', options.maxRoundingError);
  set('maxDecimals', options.maxDecimals === false ? null : options.maxDecimals);
  if (options.zeroGradients) merged.nonZeroGradients = false;
  return merged as ConstraintsInput;
}

/** pdflatex on each .tex in a scratch folder (no .aux/.log left in DIR), with a fixed date and ID so the PDFs are reproducible. */
function writePdfs(directory: string, texFiles: readonly string[]): boolean {
  if (spawnSync('pdflatex', ['--version'], { stdio: 'ignore' }).status !== 0) {
    note('pdflatex is not installed: the .tex sheets are written, the PDFs are not');
    return false;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'chainrule-variants-'));
  const progress = startProgress(texFiles.length, 'typesetting');
  try {
    for (const tex of texFiles) {
      const job = tex.replace(/\.tex$/, '');
      const run = spawnSync(
        'pdflatex',
        ['-interaction=nonstopmode', '-halt-on-error', `-jobname=${job}`, `-output-directory=${scratch}`, `\\pdftrailerid{${job}}\\input{${tex}}`],
        { cwd: directory, encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '0', FORCE_SOURCE_DATE: '1' } },
      );
      progress.tick(`${job}.pdf`);
      if (run.status !== 0) {
        note(`pdflatex failed on ${tex}; the .tex and .md sheets are written, the PDFs are not`);
        return false;
      }
      copyFileSync(path.join(scratch, `${job}.pdf`), path.join(directory, `${job}.pdf`));
    }
    return true;
  } finally {
    progress.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Column names a roster may give the student under (the submission's file name without `.json`). */
const STUDENT_COLUMNS = ['student', 'submission', 'id'];

/**
 * Reads a class roster (CSV with a header row): a `student` (or `submission`, `id`) column naming
 * each submission file without `.json`, and a `variant` column naming the variant it answers
 * (`variant-07`, or just `7`), checked against the variants in `exam` (the folder `chainrule
 * variants` wrote). Faults name the file and line.
 *
 * @example
 * readRoster('roster.csv', 'exam'); // Map { 'alice' => 'variant-07', 'bob' => 'variant-02' }
 */
export function readRoster(file: string, exam: string): Map<string, string> {
  const variants = variantIds(exam);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(readUserFile(file), { bom: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof ChainruleError) throw error;
    const line = (error as { lines?: number }).lines;
    throw new ChainruleError('problem', `${file}: ${(error as Error).message}`, line === undefined ? {} : { line });
  }
  const [header, ...rows] = records;
  const columns = header?.record.map((name) => name.toLowerCase()) ?? [];
  const student = columns.findIndex((name) => STUDENT_COLUMNS.includes(name));
  const variant = columns.indexOf('variant');
  if (student < 0 || variant < 0) {
    throw new ChainruleError('problem', `${file}: the first line must name the columns, with 'variant' and one of ${STUDENT_COLUMNS.map((c) => `'${c}'`).join(', ')} (found: ${columns.join(', ') || 'nothing'})`, { line: 1 });
  }
  const roster = new Map<string, string>();
  for (const { record, info } of rows) {
    const where = `${file} line ${info.lines}`;
    const name = record[student] ?? '';
    const given = record[variant] ?? '';
    if (name === '') throw new ChainruleError('problem', `${where}: no student`, { line: info.lines });
    if (roster.has(name)) throw new ChainruleError('problem', `${where}: '${name}' is listed twice`, { line: info.lines });
    const id = variants.find((v) => v === given || (/^\d+$/.test(given) && Number(v.slice('variant-'.length)) === Number(given)));
    if (id === undefined) {
      const range = variants.length === 0 ? 'none' : `${variants[0]} … ${variants.at(-1)}`;
      throw new ChainruleError('problem', `${where}: '${given}' is not a variant in ${exam} (its variants: ${range})`, { line: info.lines });
    }
    roster.set(name, id);
  }
  return roster;
}

/** The variant ids of an exam folder: its `variant-NN.problem.json` files. */
function variantIds(exam: string): string[] {
  const directory = resolveUserPath(exam);
  let names: string[];
  try {
    if (!statSync(directory).isDirectory()) throw new Error('not a folder');
    names = readdirSync(directory);
  } catch {
    throw new ChainruleError('problem', `with --variants, the problem is the folder 'chainrule variants' wrote; ${exam} is not a folder`, {});
  }
  const ids = names.flatMap((name) => /^(variant-\d+)\.problem\.json$/.exec(name)?.[1] ?? []).sort();
  if (ids.length === 0) throw new ChainruleError('problem', `${exam} holds no variant-NN.problem.json: write it with 'chainrule variants'`, {});
  return ids;
}

/**
 * The points scheme of a variant: its question's (Q1, Q3) when its key file names one, else none.
 * A key file that is missing or unreadable gives none: grading needs only the problem file.
 */
function variantPoints(exam: string, variant: string): PointsScheme | undefined {
  const file = path.join(exam, variantFileNames({ id: variant }).key);
  let question: unknown;
  try {
    question = (parseJson(readUserFile(file), file) as { question?: unknown }).question;
  } catch {
    return undefined;
  }
  return question === 'q1' || question === 'q3' ? questionPoints(question) : undefined;
}

/**
 * Grades a class whose students answer different variants: each submission against its variant's
 * problem file in `exam`, as the roster says, with the points of the question it is a variant of;
 * every entry carries its variant id, and a submission the roster does not list is an error entry
 * naming the roster.
 *
 * @example
 * const results = await gradeByVariant('exam', readRoster('roster.csv', 'exam'), submissions, (problem, group, points) => grade(problem, group, points));
 */
export async function gradeByVariant(
  exam: string,
  roster: ReadonlyMap<string, string>,
  submissions: readonly { id: string; submission: unknown }[],
  grade: (problem: Problem, submissions: { id: string; submission: unknown }[], points: PointsScheme | undefined) => Promise<BatchEntry[]>,
): Promise<BatchEntry[]> {
  const groups = new Map<string, { id: string; submission: unknown }[]>();
  const results: BatchEntry[] = [];
  for (const entry of submissions) {
    const variant = roster.get(entry.id);
    if (variant === undefined) {
      results.push({ id: entry.id, error: { code: 'problem', status: 400, message: 'not in the roster: which variant does this submission answer?' } });
      continue;
    }
    groups.set(variant, [...(groups.get(variant) ?? []), entry]);
  }
  for (const [variant, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const problem = loadProblem(path.join(exam, variantFileNames({ id: variant }).problem));
    for (const entry of await grade(problem, group, variantPoints(exam, variant))) results.push({ ...entry, variant });
  }
  return results;
}
