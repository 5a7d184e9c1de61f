/**
 * The page's state and what the worker answers, as plain data (they cross the worker boundary by
 * structured clone and the URL hash as JSON). No package imports here: the main thread's modules
 * read these types without pulling the engine into their bundle.
 */

/** A number, a vector, or a matrix as an array of rows — a problem file's value. */
export type Numbers = number | number[] | number[][];

/** The role of a leaf. */
export type LeafRole = 'input' | 'parameter' | 'target';

/** The problem the page edits: a problem file, with the equations as one text. */
export interface ProblemState {
  equations: string;
  functions: Record<string, string>;
  values: Record<string, Numbers>;
  wrt: string[];
  roles?: Record<string, LeafRole>;
  /** The node differentiated (default: the loss, the node nothing uses). */
  loss?: string;
}

/** How the page shows the problem. */
export interface ViewState {
  gradients: boolean;
  simplify: boolean;
  /** `null`: exact arithmetic; a number: every step rounded to that many decimals. */
  round: number | null;
}

/** Everything the shareable link holds. */
export interface AppState {
  /** Which of Assignment 9's questions the problem came from, if any (points schemes follow it). */
  preset: 'q1' | 'q2' | 'q3' | null;
  problem: ProblemState;
  view: ViewState;
  /** What the student typed in practice mode, by step id. */
  answers: Record<string, string>;
  /** The panel in front: the worked solution or practice. */
  mode: 'solution' | 'practice';
}

/** An error of the user's, with where it is. */
export interface UserError {
  message: string;
  /** The message with its location in front, e.g. `line 2, column 6: …`. */
  described: string;
  line?: number;
  column?: number;
  path?: (string | number)[];
  /** What went wrong: the equations, the values, the graph drawing. */
  stage: 'equations' | 'values' | 'drawing';
}

/** A node of the drawn graph. */
export interface NodeInfo {
  id: string;
  /** The name as the equations write it (`W1`, `dL/dW1`'s `∂L/∂W1`). */
  label: string;
  /** The name in the sheet's notation, for people (`W₁`, `∂L/∂W₁`). */
  display: string;
  latex: string;
  kind: string;
  added: boolean;
  formula?: string;
  /** The gradient node ∂loss/∂this, when backprop reaches this node. */
  gradientId?: string;
  /** For a gradient node: the node it differentiates with respect to. */
  wrt?: string;
}

/** A leaf of the graph, for the values editor. */
export interface LeafInfo {
  id: string;
  /** The name as the equations write it (the key under which its value is stored). */
  name: string;
  label: string;
  /** The name in the sheet's notation (`W₁`). */
  display: string;
  latex: string;
  kind: LeafRole;
}

/** One step of the worked solution, ready for KaTeX. */
export interface StepView {
  id: string;
  phase: 'forward' | 'backward';
  /** The name as text (`u1`, `∂L/∂W3`: the CLI's and the grader's key), in the sheet's notation (`u₁`, `∂L/∂W₃`) and as LaTeX. */
  name: string;
  display: string;
  nameLatex: string;
  formulaLatex: string;
  substitutionLatex?: string;
  valueLatex: string;
  /** The exact value. */
  value: Numbers;
  /** With rounding: the value when every step is rounded, and its substitution. */
  rounded?: Numbers;
  roundedLatex?: string;
  roundedSubstitutionLatex?: string;
  /** The line of the equation, for forward steps. */
  line?: number;
  /** Node ids on the paths from the differentiated node to this one (forward nodes and their gradient nodes), for highlighting. */
  path: string[];
  /** The chain from the loss to the node, as LaTeX: `\frac{∂L}{∂y}\,\frac{∂y}{∂u_3}…`. */
  chainLatex?: string;
  /** The name a practice answer is submitted under (`values.u1`, `gradients.W1`, `loss`). */
  answerKey: { part: 'loss' | 'values' | 'gradients'; name: string };
  /** The shape of the value, for the answer field's hint. */
  shape: number[];
}

/** What the worker makes of a problem. */
export interface Analysis {
  /** Function names the equations apply but nothing binds yet, and those bound: for the binding controls. */
  functionNames: string[];
  /** Every function a name can be bound to. */
  functionChoices: string[];
  leaves: LeafInfo[];
  /** Computed nodes of the forward graph that can be the one differentiated. */
  computed: { id: string; name: string; label: string; display: string }[];
  /** The node differentiated. */
  loss?: string;
  nodes: NodeInfo[];
  edges: { from: string; to: string }[];
  steps: StepView[];
  loss_value?: number;
  errors: UserError[];
  /** Notes that are not errors (names dropped from wrt because the differentiated node does not depend on them). */
  notes: string[];
}

/** What the engine makes a drawing from: the graph's DOT (for the drawing worker to lay out), or why there is none. */
export interface DrawingSource {
  nodes: NodeInfo[];
  dot?: string;
  /** The number of nodes, when the graph is too large to lay out without asking. */
  tooBig?: number;
  /** The equations do not make a graph (the analysis says why): keep the last drawing. */
  unchanged?: boolean;
}

/** The graph as Graphviz laid it out, or why it is not drawn. */
export interface Drawing {
  nodes: NodeInfo[];
  svg?: string;
  /** The number of nodes, when the graph is too large to lay out without asking. */
  tooBig?: number;
  /** A failure of the layout itself (a graph too deep for Graphviz). */
  error?: UserError;
  /** The equations do not make a graph (the analysis says why): keep the last drawing. */
  unchanged?: boolean;
}

/** The verdict on one practice answer. */
export interface PracticeItem {
  id: string;
  name: string;
  status: 'correct' | 'wrong' | 'missing' | 'carried';
  message?: string;
  /** For a wrong number: the largest distance from the expected value. */
  offBy?: number;
  points?: number;
  maxPoints?: number;
}

/** A practice round's report. */
export interface PracticeReport {
  items: Record<string, PracticeItem>;
  /** `step`: the equation as typed; `display`: the step's name in the sheet's notation. */
  firstWrong: { id: string; name: string; display: string; step: string } | null;
  points?: { earned: number; total: number };
  /** Where the points come from: the sheet's scheme, or spread evenly. */
  pointsNote: string;
  tolerance: string;
  /** Answers that could not be read, by step id. */
  unreadable: Record<string, string>;
  counts: Record<'correct' | 'wrong' | 'missing' | 'carried', number>;
}

/** A file to download. */
export interface Download {
  filename: string;
  mediaType: string;
  text: string;
}

/** The formats the page offers for download. */
export const DOWNLOADS = ['dot', 'svg', 'tikz', 'mermaid', 'graph-json', 'md', 'latex', 'solution-json', 'problem'] as const;
/** One download format. */
export type DownloadFormat = (typeof DOWNLOADS)[number];

/** What the worker does; the main thread calls it through Comlink. */
export interface EngineApi {
  analyze(problem: ProblemState, view: ViewState): Promise<Analysis>;
  download(problem: ProblemState, view: ViewState, format: DownloadFormat): Promise<Download>;
  practise(problem: ProblemState, view: ViewState, preset: AppState['preset'], answers: Record<string, string>): Promise<PracticeReport>;
  /** Reads a problem file (JSON, or bare equations) into the page's problem, or throws its error as text. */
  readProblemFile(text: string, name: string): Promise<ProblemState>;
  validateDot(dot: string): Promise<string | null>;
  /** New values for the leaves that keep the sheet's hand-calculation constraints (`@chainrule/variants`), or throws why none could be found. */
  newNumbers(problem: ProblemState, seed: number): Promise<Record<string, Numbers>>;
  /** What the graph of the problem is drawn from (`force`: a large graph too). */
  drawingSource(problem: ProblemState, view: ViewState, force: boolean): Promise<DrawingSource>;
  /** What one of Assignment 9's questions is drawn from (the page opens on Q3: asked at once, without waiting for the question's problem first). */
  presetDrawingSource(question: NonNullable<AppState['preset']>, view: ViewState): Promise<DrawingSource>;
  /** One of Assignment 9's questions, and a sentence about it. */
  preset(question: NonNullable<AppState['preset']>): Promise<{ problem: ProblemState; note: string }>;
}

/** What the drawing worker does (a worker of its own, with nothing but Graphviz in it). */
export interface DrawApi {
  /** The SVG Graphviz lays `dot` out to, or the layout's failure (a graph too deep for Graphviz). */
  layout(dot: string): Promise<{ svg: string } | { error: UserError }>;
  /** Hands over Graphviz's WASM, compiled by the page (`undefined`: it could not; the worker compiles it). */
  warm(wasm?: WebAssembly.Module): Promise<void>;
}
