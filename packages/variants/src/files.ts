import { renderSolution } from '@chainrule/solutions';
import type { Variant, VariantSet } from './generate.ts';
import { type VariantOrigin, keySheet, studentSheet } from './sheet.ts';

/** One file of a variant set: its name inside the output folder and its text. @example const file: VariantFile = { name: 'variants.csv', content: 'variant,…\r\n' }; */
export interface VariantFile {
  name: string;
  content: string;
}

/** The file names of one variant. @example variantFileNames({ id: 'variant-07' }).sheet.pdf; // 'variant-07.pdf' */
export interface VariantFileNames {
  problem: string;
  key: string;
  /** The student sheet: Markdown, LaTeX, PDF (made from the LaTeX where pdflatex exists). */
  sheet: { md: string; tex: string; pdf: string };
  /** The answer key as a worked solution. */
  keySheet: { md: string; tex: string; pdf: string };
}

/**
 * The names of a variant's files: `variant-01.problem.json`, `variant-01.key.json`,
 * `variant-01.md|tex|pdf` (student sheet) and `variant-01.key.md|tex|pdf` (worked key).
 *
 * @example
 * variantFileNames(set.variants[0]).key; // 'variant-01.key.json'
 */
export function variantFileNames(variant: Pick<Variant, 'id'>): VariantFileNames {
  const { id } = variant;
  return {
    problem: `${id}.problem.json`,
    key: `${id}.key.json`,
    sheet: { md: `${id}.md`, tex: `${id}.tex`, pdf: `${id}.pdf` },
    keySheet: { md: `${id}.key.md`, tex: `${id}.key.tex`, pdf: `${id}.key.pdf` },
  };
}

/**
 * A variant's key file: the exact result (`loss`, `values`, `gradients`) with the rounded path
 * beside it (`rounded`), and what the variant's checks measured against their limits. A variant
 * of a question of Assignment 9 names it (`question`), so a class graded against the variants
 * earns that question's points.
 *
 * @example
 * JSON.parse(keyJson(set.variants[0], set)).rounded.decimals; // 2
 * JSON.parse(keyJson(set.variants[0], set, { question: 'q3', name: 'Question 3' })).question; // 'q3'
 */
export function keyJson(variant: Variant, set: Pick<VariantSet, 'constraints'>, origin?: VariantOrigin): string {
  const { loss, values, gradients, rounded } = variant.key;
  const { reluMargin, minInactive, maxRoundingError, maxDecimals } = set.constraints;
  const key = {
    variant: variant.id,
    problem: variantFileNames(variant).problem,
    ...(origin?.question ? { question: origin.question } : {}),
    loss,
    values,
    gradients,
    rounded,
    checks: { ...variant.stats, limits: { reluMargin, minInactive, maxRoundingError, maxDecimals } },
  };
  return `${JSON.stringify(key, null, 2)}\n`;
}

/**
 * Every text file of a variant set, in a fixed order: per variant its problem file, key, and
 * (with `sheets`, the default) the student sheet and the worked key in Markdown and LaTeX; then
 * `variants.csv`. Writing them (and running pdflatex on the `.tex` files) is the caller's job, so
 * this runs in a browser as well.
 *
 * @example
 * for (const file of await variantFiles(set, { question: 'q3', name: 'Question 3' })) fs.writeFileSync(path.join(dir, file.name), file.content);
 */
export async function variantFiles(set: VariantSet, origin: VariantOrigin, options: { sheets?: boolean; pdf?: boolean } = {}): Promise<VariantFile[]> {
  const files: VariantFile[] = [];
  for (const variant of set.variants) {
    const names = variantFileNames(variant);
    files.push({ name: names.problem, content: `${JSON.stringify(variant.problem, null, 2)}\n` });
    files.push({ name: names.key, content: keyJson(variant, set, origin) });
    if (options.sheets ?? true) {
      const student = studentSheet(variant, origin);
      const key = keySheet(variant, origin);
      files.push({ name: names.sheet.md, content: await renderSolution(student, 'md') });
      files.push({ name: names.sheet.tex, content: await renderSolution(student, 'latex') });
      files.push({ name: names.keySheet.md, content: await renderSolution(key, 'md') });
      files.push({ name: names.keySheet.tex, content: await renderSolution(key, 'latex') });
    }
  }
  files.push({ name: 'variants.csv', content: variantsCsv(set, { sheets: options.sheets ?? true, pdf: options.pdf ?? false }) });
  return files;
}

const CSV_COLUMNS = ['variant', 'problem', 'key', 'sheet_md', 'sheet_tex', 'sheet_pdf', 'key_md', 'key_tex', 'key_pdf', 'loss', 'rounded_loss'];

/**
 * The index of a variant set as CSV (CRLF line ends, RFC 4180): variant id, its file names, the
 * key's exact loss and the loss rounded at every step. Sheet columns are empty for files not
 * written. Every field is an id, a file name or a number, so none needs quoting.
 *
 * @example
 * variantsCsv(set, { sheets: true, pdf: false }).split('\r\n')[1];
 * // 'variant-01,variant-01.problem.json,variant-01.key.json,variant-01.md,variant-01.tex,,variant-01.key.md,variant-01.key.tex,,3.0625,3.06'
 */
export function variantsCsv(set: Pick<VariantSet, 'variants'>, written: { sheets: boolean; pdf: boolean }): string {
  const rows = set.variants.map((variant) => {
    const names = variantFileNames(variant);
    const sheet = (name: string) => (written.sheets ? name : '');
    const pdf = (name: string) => (written.sheets && written.pdf ? name : '');
    return [
      variant.id,
      names.problem,
      names.key,
      sheet(names.sheet.md),
      sheet(names.sheet.tex),
      pdf(names.sheet.pdf),
      sheet(names.keySheet.md),
      sheet(names.keySheet.tex),
      pdf(names.keySheet.pdf),
      String(variant.key.loss),
      String(variant.key.rounded.loss),
    ];
  });
  return `${[CSV_COLUMNS, ...rows].map((row) => row.join(',')).join('\r\n')}\r\n`;
}
