/**
 * Graphviz's WebAssembly as a file of the build (`build/graphviz-wasm.ts` takes it out of
 * `@hpcc-js/wasm-graphviz` and points the package's loader at {@link graphvizWasm}). The page
 * starts downloading it at once (`index.html` preloads it) and hands the bytes to the drawing
 * worker, so the download runs while the worker starts; a worker that is handed nothing (the
 * engine's, for an SVG download) fetches the file itself.
 */
import wasmUrl from './generated/graphviz.wasm?url';

/** The WASM file's absolute URL. */
export const graphvizWasmUrl: string = new URL(wasmUrl, import.meta.url).href;

/** Downloads the WASM (the page's preload answers this fetch). @example const bytes = await fetchGraphvizWasm() */
export async function fetchGraphvizWasm(): Promise<ArrayBuffer> {
  const response = await fetch(graphvizWasmUrl);
  if (!response.ok) throw new Error(`cannot load Graphviz's WebAssembly from ${graphvizWasmUrl}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

let bytes: Promise<ArrayBuffer> | undefined;

/** In a worker: the WASM the page downloaded, used instead of downloading it again. @example provideGraphvizWasm(buffer) */
export function provideGraphvizWasm(given: ArrayBuffer): void {
  bytes ??= Promise.resolve(given);
}

/** The WASM's bytes for Graphviz's loader: those provided, else downloaded once (a failed download is tried again next time). @example await graphvizWasm() */
export function graphvizWasm(): Promise<ArrayBuffer> {
  bytes ??= fetchGraphvizWasm().catch((error: unknown) => {
    bytes = undefined;
    throw error;
  });
  return bytes;
}
