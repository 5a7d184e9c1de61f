import type { Name } from './ast.ts';

/** LaTeX command → the Greek letter (or `ℓ`) it typesets. */
const GREEK_LETTER_BY_COMMAND: ReadonlyMap<string, string> = new Map([
  ['ell', 'ℓ'],
  ['alpha', 'α'], ['beta', 'β'], ['gamma', 'γ'], ['delta', 'δ'], ['epsilon', 'ϵ'], ['varepsilon', 'ε'],
  ['zeta', 'ζ'], ['eta', 'η'], ['theta', 'θ'], ['vartheta', 'ϑ'], ['iota', 'ι'], ['kappa', 'κ'],
  ['lambda', 'λ'], ['mu', 'μ'], ['nu', 'ν'], ['xi', 'ξ'], ['pi', 'π'], ['rho', 'ρ'], ['varrho', 'ϱ'],
  ['sigma', 'σ'], ['varsigma', 'ς'], ['tau', 'τ'], ['upsilon', 'υ'], ['phi', 'ϕ'], ['varphi', 'φ'],
  ['chi', 'χ'], ['psi', 'ψ'], ['omega', 'ω'],
  ['Gamma', 'Γ'], ['Delta', 'Δ'], ['Theta', 'Θ'], ['Lambda', 'Λ'], ['Xi', 'Ξ'], ['Pi', 'Π'],
  ['Sigma', 'Σ'], ['Upsilon', 'Υ'], ['Phi', 'Φ'], ['Psi', 'Ψ'], ['Omega', 'Ω'],
]);

/** Greek letter → key part: the LaTeX command without its `var` prefix, so `ε`, `ϵ`, `\varepsilon` all give `epsilon`. */
const GREEK_KEY_BY_LETTER: ReadonlyMap<string, string> = new Map([
  ...[...GREEK_LETTER_BY_COMMAND].map(([command, letter]) => [letter, command.replace(/^var/, '')] as const),
  ['ℒ', 'L'],
]);

/** Key part → the letter shown for it; the `var` glyphs of ε and φ are the ones usual in machine learning. */
const GREEK_LETTER_BY_KEY: ReadonlyMap<string, string> = new Map([
  ...[...GREEK_LETTER_BY_COMMAND].filter(([command]) => !command.startsWith('var')),
  ['epsilon', 'ε'],
  ['phi', 'φ'],
]);

const NAME_WRAPPER_COMMANDS =
  'boldsymbol|mathbf|bm|mathrm|operatorname|mathit|mathsf|mathcal|mathscr|vec|text|textrm|textit|textbf|textsf|mathbfit|symbf|symbfit|pmb|mathnormal';
const WRAPPED_NAME = new RegExp(String.raw`\\(?:${NAME_WRAPPER_COMMANDS})(?![A-Za-z])\s*(?:\{([^{}]*)\}|(\p{L}))`, 'u');
const HATTED_NAME = /\\(?:widehat|hat)(?![A-Za-z])\s*(?:\{([^{}\\]*)\}|(\p{L}))/u;
const LATEX_COMMAND = /\\([A-Za-z]+)/g;
const COMBINING_CIRCUMFLEX = '\u0302';

/** Superscript characters and the characters they raise; `ᵀ` inside a layer index `⁽ᵀ⁾` is the letter T. */
const PLAIN_BY_SUPERSCRIPT: ReadonlyMap<string, string> = new Map(
  Array.from('⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ').map(
    (superscript, i) => [superscript, Array.from('0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW')[i]!] as const,
  ),
);
const SUPERSCRIPT_BY_PLAIN: ReadonlyMap<string, string> = new Map([...PLAIN_BY_SUPERSCRIPT].map(([raised, plain]) => [plain, raised]));
/** `^{(1)}`, `^(1)`, `^{[l]}`, `^[l]`: a layer index written after a name. */
const LAYER_INDEX_MARKUP = /\^\s*(?:\{\s*[([]([^()[\]{}]*)[)\]]\s*\}|[([]([^()[\]{}]*)[)\]])/gu;
const RAISED_LAYER_INDEX = /⁽([^⁽⁾]*)⁾/gu;
/** Letters of the mathematical alphabets (`𝐖`, `𝑥`, `𝓛`, `ℎ`, `ℒ`) that stand for a plain letter. */
const MATH_ALPHABET_LETTER = /[\u{1D400}-\u{1D7CB}ℂℊℋℌℍℎℐℑℒℕℙℚℛℜℝℤℨℬℭℯℰℱℳℴ]/gu;

/**
 * The canonical name of a variable as written, so that different spellings of one name share a key:
 * `_` and braces of subscripts are dropped, subscript digits become digits, a hat becomes the suffix `hat`,
 * Greek letters become their LaTeX names (`σ` → `sigma`, `ℓ` → `ell`), `ℒ`/`\mathcal{L}`/`𝓛` become `L` (and any
 * letter of the mathematical alphabets, `𝐖`, `𝑥`, its plain letter), and a layer index joins the name as an
 * index does (`a⁽¹⁾`, `a^{(1)}`, `a^(1)`, `a^{[1]}` → `a1`; `h^{(k-1)}` → `hk-1`). Leftover LaTeX markup (`\boldsymbol{W}_3`, `\hat{y}`) is stripped as well. Never throws.
 *
 * @example
 * canonicalName('W_{3}').key; // 'W3'
 * canonicalName('W₃').key;    // 'W3'
 * canonicalName('ŷ').key;     // 'yhat' (also for 'yhat', 'y_hat', '\\hat{y}')
 * canonicalName('W⁽¹⁾').key;  // 'W1' (also for 'W^{(1)}', 'W^(1)', '\\mathbf{W}^{(1)}')
 */
export function canonicalName(text: string): Name {
  return { key: sharedName(text).key, text };
}

/**
 * The one immutable {@link Name} of a spelling, shared by every token and lookup of it: a name
 * recurs on every line that uses it, `graph.resolve('ŷ')` asks at every evaluation, and the key
 * takes a dozen regular expressions. Bounded (emptied when full), so hostile input cannot grow it.
 *
 * @example
 * sharedName('ŷ') === sharedName('ŷ'); // true
 * sharedName('ŷ').key;                 // 'yhat'
 */
export function sharedName(text: string): Name {
  let name = NAMES.get(text);
  if (name === undefined) {
    name = Object.freeze({ key: PLAIN_ASCII_NAME.test(text) ? text : canonicalKey(text), text });
    if (NAMES.size >= NAMES_KEPT) NAMES.clear();
    NAMES.set(text, name);
  }
  return name;
}
const NAMES = new Map<string, Name>();
const NAMES_KEPT = 10_000;
/** Letters and digits only: the canonical key of such a spelling is the spelling itself (names.test.ts checks it). */
const PLAIN_ASCII_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function canonicalKey(text: string): string {
  const decomposed = stripLatexMarkup(text)
    .replace(LAYER_INDEX_MARKUP, (_match, braced: string | undefined, bare: string | undefined) => layerIndexKey(braced ?? bare ?? ''))
    .replace(RAISED_LAYER_INDEX, (_match, raised: string) => layerIndexKey(Array.from(raised, (c) => PLAIN_BY_SUPERSCRIPT.get(c) ?? c).join('')))
    .replace(MATH_ALPHABET_LETTER, (letter) => letter.normalize('NFKC'))
    .normalize('NFD')
    .replace(/(\p{L})\u0302/gu, '$1hat')
    .normalize('NFC')
    .replace(/[₀-₉]/g, (digit) => String(digit.charCodeAt(0) - 0x2080))
    .replace(/[\s_{}]/gu, '');
  return Array.from(decomposed, (character) => GREEK_KEY_BY_LETTER.get(character) ?? character).join('');
}

/** The key part of a layer index: `k - 1` → `k-1`, `1` → `1`. */
function layerIndexKey(index: string): string {
  return index.replace(/\s/gu, '').replaceAll('−', '-');
}

/**
 * A name with a layer index as text shows it: `a` and `1` → `a⁽¹⁾`, `h` and `k-1` → `h⁽ᵏ⁻¹⁾`; an index
 * with a character that has no superscript (`q`), or written in brackets (`W^{[1]}`), stays `h^(q)`, `W^[1]`.
 *
 * @example
 * withLayerIndex('W', '1', '(');     // 'W⁽¹⁾'
 * withLayerIndex('W', '1', '[');     // 'W^[1]'
 */
export function withLayerIndex(name: string, index: string, bracket: '(' | '['): string {
  const plain = layerIndexKey(index);
  const raised = Array.from(plain, (c) => SUPERSCRIPT_BY_PLAIN.get(c));
  if (bracket === '(' && raised.every((c) => c !== undefined)) return `${name}⁽${raised.join('')}⁾`;
  return bracket === '(' ? `${name}^(${plain})` : `${name}^[${plain}]`;
}

/** Characters and their subscript forms (Unicode has subscripts for digits, `+ − = ( )` and some letters). */
const SUBSCRIPT_BY_PLAIN: ReadonlyMap<string, string> = new Map(
  Array.from('0123456789+-=()aehijklmnoprstuvx').map((plain, i) => [plain, Array.from('₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ')[i]!] as const),
);
/** Where a layer index starts in a label: `⁽`, or `^(` / `^[` where the index has no superscript form. */
const LAYER_INDEX_START = /⁽|\^[([]/u;

function subscripted(text: string): string | undefined {
  const lowered = Array.from(text.replace(/\s/gu, ''), (c) => SUBSCRIPT_BY_PLAIN.get(c === '−' ? '-' : c));
  return lowered.length > 0 && lowered.every((c) => c !== undefined) ? lowered.join('') : undefined;
}

/** A trailing run of digits after a letter: the index of a name written in ASCII (`W1`, `u12`). */
const TRAILING_INDEX = /(?<=\p{L})\d+$/u;

/**
 * A node's label as a typeset sheet shows it in plain text. One rule: the index of a name is a
 * subscript — written `_1` or `_{12}` (LaTeX input) or as the name's trailing digits (`W1`, ASCII
 * input) — so `W_1`, `W1` and `W₁` all show `W₁`, as LaTeX shows `W_{1}` for each, and no
 * underscore reaches a figure or a terminal; `_{ij}` becomes `ᵢⱼ` where every character has a
 * subscript form, `_{q}` becomes `_q`. A layer index (`a⁽¹⁾`) stays raised. Ids (`W1`) and the
 * names messages use (as written) are not affected: this is display only.
 *
 * @example
 * displayName('W_1');   // 'W₁'
 * displayName('u1');    // 'u₁'
 * displayName('ŷ_2');   // 'ŷ₂'
 * displayName('a⁽¹⁾');  // 'a⁽¹⁾'
 */
export function displayName(label: string): string {
  const start = label.search(LAYER_INDEX_START);
  const base = start < 0 ? label : label.slice(0, start);
  const layer = start < 0 ? '' : label.slice(start);
  const lowered = base.replace(/_\s*\{([^{}]*)\}|_([^\s_{}])/gu, (match, braced: string | undefined, single: string | undefined) => {
    const index = (braced ?? single ?? '').trim();
    return subscripted(index) ?? (Array.from(index).length === 1 ? `_${index}` : match);
  });
  return lowered.replace(TRAILING_INDEX, (digits) => subscripted(digits)!) + layer;
}

/**
 * A node's label in LaTeX, from how it is written rather than its key alone: a layer index stays
 * a superscript (`a⁽¹⁾`, key `a1` → `a^{(1)}`, where the key alone would give `a_{1}`); anything
 * else is {@link latexName} of the key.
 *
 * @example
 * latexLabel('a⁽¹⁾', 'a1');       // 'a^{(1)}'
 * latexLabel('W_1', 'W1');        // 'W_{1}'
 * latexLabel('h⁽ᵏ⁻¹⁾', 'hk-1');   // 'h^{(k-1)}'
 */
export function latexLabel(label: string, key: string): string {
  const start = label.search(LAYER_INDEX_START);
  if (start < 0) return latexName(key);
  const raised = label.startsWith('⁽', start);
  const index = raised
    ? Array.from(label.slice(start + 1).replace(/⁾.*$/u, ''), (c) => PLAIN_BY_SUPERSCRIPT.get(c) ?? c).join('')
    : label.slice(start + 2).replace(/[)\]].*$/u, '');
  const [open, close] = label[start + 1] === '[' ? ['[', ']'] : ['(', ')'];
  const baseKey = canonicalName(label.slice(0, start)).key;
  return `${latexName(baseKey)}^{${open}${escapeLatex(layerIndexKey(index))}${close}}`;
}

/** The character a superscript character raises (`¹` → `1`, `ᵏ` → `k`), or `undefined`. @example plainOfSuperscript('ᵏ') // 'k' */
export function plainOfSuperscript(character: string): string | undefined {
  return PLAIN_BY_SUPERSCRIPT.get(character);
}

function stripLatexMarkup(text: string): string {
  if (!text.includes('\\')) return text;
  let stripped = text;
  // Innermost groups first: each pass removes at least one command, so the loop ends.
  for (;;) {
    const next = stripped
      .replace(LATEX_COMMAND, (command: string, word: string) => GREEK_LETTER_BY_COMMAND.get(word) ?? command)
      .replace(WRAPPED_NAME, (_match, braced: string | undefined, letter: string | undefined) => braced ?? letter ?? '')
      .replace(HATTED_NAME, (_match, braced: string | undefined, letter: string | undefined) => withHat((braced ?? letter ?? '').trim()));
    if (next === stripped) return stripped;
    stripped = next;
  }
}

/**
 * The Greek letter a LaTeX command such as `\sigma` typesets, or `undefined` for any other command.
 *
 * @example
 * greekLetterForCommand('sigma');      // 'σ'
 * greekLetterForCommand('boldsymbol'); // undefined
 */
export function greekLetterForCommand(command: string): string | undefined {
  return GREEK_LETTER_BY_COMMAND.get(command);
}

/**
 * Puts a hat (U+0302) on a name: on the last letter of its leading run of letters, before any subscript.
 *
 * @example
 * withHat('y');   // 'ŷ'
 * withHat('W_3'); // 'Ŵ_3'
 */
export function withHat(text: string): string {
  const hatted = /^\p{L}+/u.test(text) ? text.replace(/^\p{L}+/u, (letters) => letters + COMBINING_CIRCUMFLEX) : text + COMBINING_CIRCUMFLEX;
  return hatted.normalize('NFC');
}

/** A key split as base letters, an optional hat and an index: `yhat1` → y, hat, 1. */
interface KeyParts {
  base: string;
  hat: boolean;
  index: string;
}

function splitKey(key: string): KeyParts | undefined {
  const match = /^(\p{L}+?)(hat)?(\d*)$/u.exec(key);
  if (!match) return undefined;
  const base = match[1] ?? '';
  const index = match[3] ?? '';
  // `hat` is a hat only on one letter or a Greek letter: `chat` stays a word, `yhat` is ŷ.
  const hat = match[2] !== undefined && (Array.from(base).length === 1 || GREEK_LETTER_BY_KEY.has(base));
  return { base: hat || match[2] === undefined ? base : `${base}hat`, hat, index };
}

/**
 * A key whose index holds `+` or `-` came from a layer index (`h^{(k-1)}` → `hk-1`): subscripts
 * cannot hold them. Split as the named letter (with its hat) and the index.
 */
function splitLayerKey(key: string): { name: string; index: string } | undefined {
  const match = /^(\p{L}(?:hat)?)([\p{L}\d]*[+-][\p{L}\d+-]*)$/u.exec(key);
  return match ? { name: match[1]!, index: match[2]! } : undefined;
}

/**
 * How a key is shown in text: Greek names become letters, a hat becomes a circumflex; digits stay digits.
 *
 * @example
 * prettyName('W3');    // 'W3'
 * prettyName('yhat');  // 'ŷ'
 * prettyName('sigma'); // 'σ'
 * prettyName('hk-1');  // 'h⁽ᵏ⁻¹⁾'
 */
export function prettyName(key: string): string {
  const layered = splitLayerKey(key);
  if (layered) return withLayerIndex(prettyName(layered.name), layered.index, '(');
  const parts = splitKey(key);
  if (!parts) return key;
  const base = GREEK_LETTER_BY_KEY.get(parts.base) ?? parts.base;
  return (parts.hat ? withHat(base) : base) + parts.index;
}

/**
 * How a key is typeset in LaTeX: one letter as is, a Greek name as its command, a word upright,
 * a hat as `\hat{…}` and trailing digits as a subscript.
 *
 * @example
 * latexName('W3');   // 'W_{3}'
 * latexName('yhat'); // '\\hat{y}'
 * latexName('loss'); // '\\mathrm{loss}'
 * latexName('hk-1'); // 'h^{(k-1)}'
 */
export function latexName(key: string): string {
  const layered = splitLayerKey(key);
  if (layered) return `${latexName(layered.name)}^{(${layered.index})}`;
  const parts = splitKey(key);
  if (!parts) return key === '' ? '' : `\\mathrm{${escapeLatex(key)}}`;
  const greekCommand = parts.base === 'epsilon' || parts.base === 'phi' ? `var${parts.base}` : parts.base;
  const base = GREEK_LETTER_BY_KEY.has(parts.base)
    ? `\\${greekCommand}`
    : Array.from(parts.base).length === 1
      ? parts.base
      : `\\mathrm{${parts.base}}`;
  const hatted = parts.hat ? `\\hat{${base}}` : base;
  return parts.index === '' ? hatted : `${hatted}_{${parts.index}}`;
}

const LATEX_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\backslash{}',
  '{': '\\{',
  '}': '\\}',
  _: '\\_',
  '^': '\\^{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  '~': '\\~{}',
};

function escapeLatex(text: string): string {
  return text.replace(/[\\{}_^&%$#~]/g, (character) => LATEX_ESCAPES[character] ?? character);
}
