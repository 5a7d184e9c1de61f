/**
 * The page: holds the state, sends every heavy pass to the engine worker (debounced, only the
 * latest edit is computed), and hands the answers to the panels. The URL's hash follows the state.
 */
import './style.css';
import { markOnce } from './marks.ts';
import type { Analysis, AppState, DownloadFormat, DrawApi, Drawing, DrawingSource, EngineApi, ProblemState } from './model.ts';
import { takeEarlyStart } from './early-start.ts';
import { compileGraphvizWasm } from './graphviz-wasm.ts';
import { newNumbers } from './random.ts';
import { connect } from './rpc.ts';
import { decodeState, encodeState } from './share.ts';
import { createEditor } from './ui/editor.ts';
import { createGraphPanel } from './ui/graph.ts';
import { loadMath } from './ui/math.ts';
import { createStepsPanel } from './ui/steps.ts';
import { createValuesPanel } from './ui/values.ts';

markOnce('chainrule:main');
// The build's first script (build/early-start.ts) has started both workers and the WASM compile while the HTML was
// read (this module runs only after the first paint); without it (the dev server) they start here.
const early = takeEarlyStart();
const documentParsed = document.readyState === 'loading' ? new Promise<void>((resolve) => document.addEventListener('DOMContentLoaded', () => resolve(), { once: true })) : Promise.resolve();
const engineStopped = (message: string) => void documentParsed.then(() => say(`The engine stopped: ${message}. Reload the page.`));
const connectEngine = (started?: Worker) => connect<EngineApi>(started ?? new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'chainrule-engine' }), engineStopped);
// Graphviz's WASM downloads and compiles while the workers start; the drawing worker is handed the compiled module
// (it loads Graphviz's JavaScript meanwhile, and lays a warm-up graph out while the engine builds the first graph).
const graphvizModule = early?.graphviz?.catch(() => compileGraphvizWasm()) ?? compileGraphvizWasm();
graphvizModule.catch(() => undefined); // the drawing worker then compiles it itself, and reports a failure where it draws
const connectDrawer = (started?: Worker) => {
  const connection = connect<DrawApi>(started ?? new Worker(new URL('./draw-worker.ts', import.meta.url), { type: 'module', name: 'chainrule-drawing' }), engineStopped);
  const warm = (wasm?: WebAssembly.Module) => connection.api.warm(wasm).catch(() => undefined);
  graphvizModule.then(warm, () => warm());
  return connection;
};
// Drawing has a worker of its own: a slow layout never holds up the numbers, and is cut short when it is stale.
let drawer = connectDrawer(early?.drawing);
const { api: engine } = connectEngine(early?.engine);
for (const error of early?.errors ?? []) engineStopped(error);

await documentParsed;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');
function say(text: string): void {
  status.textContent = text;
}

let state: AppState;
let analysis: Analysis | undefined;
let selected: string | undefined;
const DEBOUNCE_MS = 200;

const editor = createEditor($('equations'), $('gutter'), $('equation-error'), (text) => update({ ...state.problem, equations: text }));
const graph = createGraphPanel($('graph'), $('graph-legend'), { zoomIn: $('zoom-in'), zoomOut: $('zoom-out'), fit: $('zoom-fit') }, (id) => select(id));
const steps = createStepsPanel($<HTMLOListElement>('steps'), $('practice-summary'), {
  onSelect: (id) => select(id),
  onAnswer: (id, text) => {
    state = { ...state, answers: { ...state.answers, [id]: text } };
    saveHash();
    void grade();
  },
});
const values = createValuesPanel(
  {
    values: $('values'),
    json: $('values-json-text'),
    jsonSwitch: $('values-json'),
    functions: $('functions'),
    wrt: $('wrt'),
    loss: $('loss'),
    error: $('value-error'),
  },
  (change) => update(change(state.problem)),
);

/** A new problem: recompute after a pause in typing. */
function update(problem: ProblemState): void {
  state = { ...state, problem };
  schedule();
}

let timer: ReturnType<typeof setTimeout> | undefined;
let running = false;
let again = false;
function schedule(delay = DEBOUNCE_MS): void {
  saveHash(); // the link follows the state at once, not only once the worker has answered
  clearTimeout(timer);
  timer = setTimeout(() => void run(), delay);
}

/** One pass on the worker; edits made meanwhile are computed once it is done (latest only). */
async function run(): Promise<void> {
  if (running) {
    again = true;
    return;
  }
  running = true;
  document.body.classList.add('busy');
  try {
    const problem = state.problem;
    void drawGraph(false);
    const result = await engine.analyze(problem, state.view);
    // On opening, the graph goes on screen first (both arrive together; laying out the steps first
    // held the graph up), waiting for it half a second at most.
    if (!analysis) await Promise.race([firstDrawing, new Promise((resolve) => setTimeout(resolve, 500))]);
    if (problem === state.problem) show(result);
  } catch (error) {
    say(`Something went wrong in the engine: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    running = false;
    document.body.classList.remove('busy');
    if (again) {
      again = false;
      void run();
    }
  }
}

let drawnKey: string | undefined;
let drawing: { key: string; started: number } | undefined;

/** The structure "Draw it" was pressed for: a large graph stays drawn while only values change. */
let forcedFor: string | undefined;

/** What a drawing depends on: not the values. */
function drawingKey(): string {
  const { values: _values, ...structure } = state.problem;
  return JSON.stringify([structure, state.view.gradients, state.view.simplify]);
}

/** Lays the graph out in the drawing worker unless that drawing is already shown or on its way; a stale layout that runs long is cut short. */
async function drawGraph(forceNow: boolean): Promise<void> {
  const structure = drawingKey();
  if (forceNow) forcedFor = structure;
  const force = forcedFor === structure;
  const key = `${structure}${force}`;
  if (key === drawnKey || key === drawing?.key) return;
  if (drawing && performance.now() - drawing.started > 300) {
    drawer.terminate();
    drawer = connectDrawer();
  }
  const mine = { key, started: performance.now() };
  drawing = mine;
  const early = ahead && !force && ahead.problem === state.problem && ahead.view === JSON.stringify([state.view.gradients, state.view.simplify]) ? ahead.drawing : undefined;
  ahead = undefined;
  const result = await (early ?? drawingOf(engine.drawingSource(state.problem, state.view, force), () => drawing === mine)).catch((error: unknown): Drawing => ({ nodes: [], error: { message: String(error), described: String(error), stage: 'drawing' } }));
  if (drawing !== mine) return;
  drawing = undefined;
  drawnKey = key;
  showDrawing(result, force);
}

/** The engine makes the graph's DOT, the drawing worker lays it out (unless a newer drawing was asked for meanwhile). */
async function drawingOf(pendingSource: Promise<DrawingSource>, current: () => boolean): Promise<Drawing> {
  const source = await pendingSource;
  if (source.dot === undefined || !current()) return source;
  const laidOut = await drawer.api.layout(source.dot);
  return { nodes: source.nodes, ...laidOut };
}

let firstDrawn: () => void = () => undefined;
const firstDrawing = new Promise<void>((resolve) => {
  firstDrawn = resolve;
});

function showDrawing(result: Drawing, force: boolean): void {
  firstDrawn();
  // KaTeX after the first graph: on two cores its loading would otherwise hold the graph up.
  void loadMath();
  if (result.unchanged) return;
  const graphError = $('graph-error');
  const bigNote = $('graph-big');
  bigNote.hidden = result.tooBig === undefined;
  if (result.tooBig !== undefined) {
    $('graph-big-text').textContent = `This graph has ${result.tooBig} nodes: Graphviz takes from seconds to minutes to lay it out (in the background; the page stays usable).`;
  }
  graphError.hidden = result.error === undefined;
  graphError.textContent = result.error?.described ?? '';
  if (result.svg !== undefined || !force) graph.show(result.svg, result.nodes);
  $('graph').dataset.nodes = String(graph.nodeCount());
  // For the bench: when the first graph is on screen, measured from navigation.
  if (result.svg !== undefined) markOnce('chainrule:drawn');
  highlight();
}

function show(result: Analysis): void {
  const equationError = result.errors.find((e) => e.stage === 'equations');
  editor.showError(equationError);
  // While an equation is being typed, the last good values, graph and steps stay (dimmed).
  document.body.classList.toggle('stale', equationError !== undefined && analysis !== undefined && analysis.steps.length > 0);
  if (equationError && analysis && analysis.steps.length > 0) {
    say('The equations have an error: the graph and the steps below are from the last equations that worked.');
    return;
  }
  analysis = result;
  const valueError = result.errors.find((e) => e.stage === 'values');
  const valueErrorLine = $('value-error');
  valueErrorLine.hidden = valueError === undefined;
  valueErrorLine.textContent = valueError?.described ?? '';
  $('notes').textContent = result.notes.join('; ');
  values.show(state.problem, result);
  steps.show(result.steps, { round: state.view.round, mode: state.mode, answers: state.answers });
  document.body.dataset.ready = 'true';
  markOnce('chainrule:steps-shown');
  document.body.dataset.shown = String(Number(document.body.dataset.shown ?? 0) + 1);
  if (selected !== undefined && !result.nodes.some((n) => n.id === selected) && !result.steps.some((s) => s.id === selected)) selected = undefined;
  highlight();
  if (state.mode === 'practice') void grade();
  say(equationError ? 'The equations have an error.' : valueError ? 'The values have an error.' : modeStatus(result));
}

/** What the status line says about a worked problem in the current mode. */
function modeStatus(result: Analysis): string {
  if (state.mode === 'solution') return `${result.steps.length} steps.`;
  return `Practice: ${result.steps.length} steps to work out — type each value; every entry is graded as you go.`;
}

/** Selecting a node or a step: open the step, light up the path from the loss. */
function select(id: string): void {
  selected = selected === id ? undefined : id;
  highlight();
}

function highlight(): void {
  if (!analysis || selected === undefined) {
    graph.highlight();
    steps.open(undefined);
    return;
  }
  const node = analysis.nodes.find((n) => n.id === selected);
  const own = analysis.steps.find((s) => s.id === selected);
  // A given leaf (a weight, the input) has no step of its own: a student clicking it wants its gradient's.
  const gradientStep = own ? undefined : analysis.steps.find((s) => s.id === node?.gradientId);
  const step = own ?? gradientStep;
  graph.highlight(selected, step?.path ?? [selected]);
  if (!step || !steps.open(step.id)) {
    steps.open(undefined);
    say(`${node?.display ?? selected} is given, not computed: it has no step.`);
  } else say(gradientStep ? `${node?.display ?? selected} is given, not computed: its gradient ${gradientStep.display} is step ${analysis.steps.indexOf(gradientStep) + 1}.` : `Step ${analysis.steps.indexOf(step) + 1}: ${step.display}.`);
}

let gradings = 0;
/** Grades the answers as they are now; a report that comes back after a newer request started is dropped (it would show older answers). */
async function grade(): Promise<void> {
  if (state.mode !== 'practice') return;
  const request = ++gradings;
  try {
    const report = await engine.practise(state.problem, state.view, state.preset, state.answers);
    if (request === gradings) steps.grade(report);
  } catch (error) {
    if (request === gradings) steps.grade(undefined, error instanceof Error ? error.message : String(error));
  }
}

let hashTimer: ReturnType<typeof setTimeout> | undefined;
let hashSaves = 0;
let savedHash = location.hash;
/**
 * Above this length (a network of some 40 layers) the hash is written only when the page is hidden or the link is copied:
 * Chromium takes over 100 ms of the main thread to replace a URL of a long network's size.
 */
const LONG_HASH = 2000;
function saveHash(): void {
  clearTimeout(hashTimer);
  const save = ++hashSaves;
  hashTimer = setTimeout(() => void writeHash(save, false), 300);
}
async function writeHash(save = ++hashSaves, always = true): Promise<void> {
  const hash = await encodeState(state);
  // Compressing is asynchronous: an older state that took longer must not overwrite a newer one.
  // (Compared with the last hash written, not read back: a long network's URL is long to read and write.)
  if (save !== hashSaves || hash === savedHash || (!always && hash.length > LONG_HASH)) return;
  savedHash = hash;
  history.replaceState(null, '', hash);
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') void writeHash();
});

function applyState(next: AppState): void {
  state = next;
  editor.setValue(state.problem.equations);
  $<HTMLInputElement>('show-gradients').checked = state.view.gradients;
  $<HTMLInputElement>('simplify').checked = state.view.simplify;
  $<HTMLInputElement>('numbers-exact').checked = state.view.round === null;
  $<HTMLInputElement>('numbers-rounded').checked = state.view.round !== null;
  if (state.view.round !== null) $<HTMLInputElement>('decimals').value = String(state.view.round);
  setMode(state.mode, false);
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-preset]')) button.setAttribute('aria-pressed', String(button.dataset.preset === state.preset));
  schedule(0);
}

/**
 * On opening, the engine is asked for Q3's DOT before Q3 itself, and the DOT goes to the drawing
 * worker as it arrives (no round trip through the page's state in between); that drawing is used
 * if the problem is still the question as loaded.
 */
let ahead: { problem?: ProblemState; view: string; drawing: Promise<Drawing> } | undefined;

async function loadPreset(question: NonNullable<AppState['preset']>): Promise<void> {
  const { problem, note } = await engine.preset(question);
  if (ahead && ahead.problem === undefined) ahead.problem = problem;
  $('preset-note').textContent = note;
  selected = undefined;
  applyState({ ...state, preset: question, problem, answers: {}, view: { ...state.view, round: question === 'q3' || question === 'q2' ? 2 : state.view.round } });
}

function setMode(mode: AppState['mode'], recompute = true): void {
  state = { ...state, mode };
  $('tab-solution').setAttribute('aria-selected', String(mode === 'solution'));
  $('tab-practice').setAttribute('aria-selected', String(mode === 'practice'));
  $('steps-panel').setAttribute('aria-labelledby', mode === 'solution' ? 'tab-solution' : 'tab-practice');
  document.body.dataset.mode = mode;
  if (recompute && analysis) {
    // A new mode starts clean: the selection, the lit path and what the status line said were about the other one.
    selected = undefined;
    steps.show(analysis.steps, { round: state.view.round, mode, answers: state.answers });
    highlight();
    say(modeStatus(analysis));
    void grade();
    saveHash();
  }
}

function setView(view: Partial<AppState['view']>): void {
  state = { ...state, view: { ...state.view, ...view } };
  schedule(0);
}

function wire(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
    button.addEventListener('click', () => void loadPreset(button.dataset.preset as NonNullable<AppState['preset']>));
  }
  $('new-numbers').addEventListener('click', async () => {
    const problem = state.problem;
    let values: ProblemState['values'];
    let note: string;
    try {
      values = await engine.newNumbers(problem, (Math.random() * 2 ** 32) >>> 0);
      note = 'New numbers of the same shapes, kept as good for hand calculation as the sheet\'s (on its grid, no ReLU input near 0, short decimals).';
    } catch (error) {
      values = newNumbers(problem.values);
      note = `New random numbers of the same shapes on the sheet's grid (no variant kept every hand-calculation constraint: ${error instanceof Error ? error.message : String(error)}).`;
    }
    if (state.problem !== problem) return;
    state = { ...state, answers: {} };
    update({ ...problem, values });
    // Beside the network, where it stays (the status line is rewritten when the new steps arrive).
    $('preset-note').textContent = note;
  });
  $('draw-anyway').addEventListener('click', () => void drawGraph(true));
  $('show-gradients').addEventListener('change', (e) => setView({ gradients: (e.target as HTMLInputElement).checked }));
  $('simplify').addEventListener('change', (e) => setView({ simplify: (e.target as HTMLInputElement).checked }));
  const decimals = $<HTMLInputElement>('decimals');
  const roundChoice = () => {
    const n = Math.min(Math.max(Math.round(Number(decimals.value)), 0), 8);
    setView({ round: $<HTMLInputElement>('numbers-exact').checked ? null : Number.isFinite(n) ? n : 2 });
  };
  $('numbers-exact').addEventListener('change', roundChoice);
  $('numbers-rounded').addEventListener('change', roundChoice);
  decimals.addEventListener('change', () => {
    $<HTMLInputElement>('numbers-rounded').checked = true;
    roundChoice();
  });
  $('tab-solution').addEventListener('click', () => setMode('solution'));
  $('tab-practice').addEventListener('click', () => setMode('practice'));
  const tabs = [$('tab-solution'), $('tab-practice')];
  for (const tab of tabs) {
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const other = tabs.find((t) => t !== tab)!;
      other.focus();
      other.click();
    });
  }
  $('download').addEventListener('click', async () => {
    const format = $<HTMLSelectElement>('download-format').value as DownloadFormat;
    try {
      const file = await engine.download(state.problem, state.view, format);
      const url = URL.createObjectURL(new Blob([file.text], { type: file.mediaType }));
      const link = document.createElement('a');
      link.href = url;
      link.download = file.filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      say(`Saved ${file.filename}.`);
    } catch (error) {
      say(`Cannot export: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  $<HTMLInputElement>('load-file').addEventListener('change', async (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      const problem = await engine.readProblemFile(await file.text(), file.name);
      $('preset-note').textContent = `Loaded ${file.name}.`;
      applyState({ ...state, preset: null, problem, answers: {} });
    } catch (error) {
      say(`Cannot load ${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      input.value = '';
    }
  });
  $('share').addEventListener('click', async () => {
    await writeHash();
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      say('The link is copied: it holds the whole page.');
    } catch {
      say(`Copy this link: ${url}`);
    }
  });
  window.addEventListener('hashchange', async () => {
    const decoded = await decodeState(location.hash);
    if (typeof decoded === 'object' && JSON.stringify(decoded) !== JSON.stringify(state)) applyState(decoded);
  });
}

async function start(): Promise<void> {
  setTimeout(() => void loadMath(), 3000); // in case no drawing comes (a graph too large to draw, a failed worker)
  state = { preset: 'q3', problem: { equations: '', functions: {}, values: {}, wrt: [] }, view: { gradients: true, simplify: false, round: 2 }, answers: {}, mode: 'solution' };
  wire();
  const decoded = await decodeState(location.hash);
  if (typeof decoded === 'object') {
    applyState(decoded);
    $('preset-note').textContent = 'Opened from a shared link.';
    return;
  }
  if (typeof decoded === 'string') say(`${decoded}; showing Question 3 instead.`);
  ahead = { view: JSON.stringify([state.view.gradients, state.view.simplify]), drawing: drawingOf(engine.presetDrawingSource('q3', state.view), () => true) };
  await loadPreset('q3');
}

void start();
