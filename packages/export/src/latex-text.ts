const TEXT_REPLACEMENTS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '%': '\\%',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
  '—': '---',
  '–': '--',
  '−': '$-$',
  '→': '$\\to$',
  '…': '\\dots{}',
  '·': '$\\cdot$',
  '⊙': '$\\odot$',
  '‖': '$\\|$',
  '²': '$^2$',
  'ŷ': '$\\hat{y}$',
  '∂': '$\\partial$',
  'σ': '$\\sigma$',
  '⁽': '$^($',
  '⁾': '$^)$',
  'ᵏ': '$^k$',
  '⁻': '$^-$',
  '¹': '$^1$',
  '⁰': '$^0$',
  'ᵀ': '$^\\top$',
  ...Object.fromEntries(Array.from('₀₁₂₃₄₅₆₇₈₉', (subscript, digit) => [subscript, `$_${digit}$`])),
  'ₖ': '$_k$',
  '“': '``',
  '”': "''",
  '’': "'",
};

/**
 * Running text escaped for LaTeX text mode: the special characters, the Unicode math sheets use
 * (`ŷ`, `∂`, `ᵀ`, `−`, `—`) as LaTeX, `--` kept as two hyphens; newlines become spaces.
 *
 * @example
 * latexText('ŷ = [0, 1] — 50% of W_1'); // '$\\hat{y}$ = [0, 1] --- 50\\% of W\\_1'
 */
export function latexText(text: string): string {
  // T1 fonts turn -- into an en dash; a command line like `--network` must stay two hyphens.
  return [...text.normalize('NFC').replace(/\s*\r?\n\s*/g, ' ').replace(/-(?=-)/g, '-\u0000')]
    .map((ch) => (ch === '\u0000' ? '{}' : (TEXT_REPLACEMENTS[ch] ?? (ch.charCodeAt(0) < 0x250 ? ch : '?'))))
    .join('');
}
