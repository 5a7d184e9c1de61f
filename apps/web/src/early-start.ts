/**
 * What the build's first script (`build/early-start.ts`, a classic script at the top of the head)
 * started before the page's module ran: the two workers and the compile of Graphviz's WASM. The
 * page takes them over once; without that script (the dev server) it starts them itself.
 */

/** Where the first script leaves what it started (a property of the page's global object). */
export const EARLY_START_GLOBAL = 'chainruleStart';

/** The files the first script starts, relative to the page. */
export interface EarlyStartFiles {
  drawing: string;
  engine: string;
  wasm: string;
}

/** What the first script started. */
export interface EarlyStart {
  drawing: Worker;
  engine: Worker;
  /** Graphviz's WASM, compiled while it downloads (absent where `WebAssembly.compileStreaming` is missing). */
  graphviz?: Promise<WebAssembly.Module>;
  /** Errors the workers reported before the page listened. */
  errors: string[];
}

/**
 * What the first script started, handed over once (a second call, or a page without that script, gets `undefined`).
 *
 * @example const early = takeEarlyStart(); const drawing = early?.drawing ?? new Worker(url, { type: 'module' });
 */
export function takeEarlyStart(): EarlyStart | undefined {
  const holder = globalThis as unknown as Record<string, EarlyStart | undefined>;
  const early = holder[EARLY_START_GLOBAL];
  delete holder[EARLY_START_GLOBAL];
  return early?.drawing instanceof Worker && early.engine instanceof Worker ? early : undefined;
}
