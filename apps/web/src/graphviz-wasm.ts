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
let fromPage: ((given: ArrayBuffer | undefined) => void) | undefined;

/**
 * In the drawing worker, as it starts: the WASM will come from the page ({@link provideGraphvizWasm}),
 * so Graphviz's loader waits for it instead of downloading the file a second time.
 *
 * @example expectGraphvizWasmFromPage()
 */
export function expectGraphvizWasmFromPage(): void {
  bytes ??= new Promise<ArrayBuffer | undefined>((resolve) => {
    fromPage = resolve;
  }).then((given) => given ?? download());
}

/** In a worker: the WASM the page downloaded (`undefined`: the page could not, download it here). @example provideGraphvizWasm(buffer) */
export function provideGraphvizWasm(given: ArrayBuffer | undefined): void {
  if (fromPage) fromPage(given);
  else if (given) bytes ??= Promise.resolve(given);
  fromPage = undefined;
}

function download(): Promise<ArrayBuffer> {
  return fetchGraphvizWasm().catch((error: unknown) => {
    bytes = undefined;
    throw error;
  });
}

/** The WASM's bytes for Graphviz's loader: those the page gives, else downloaded once (a failed download is tried again next time). @example await graphvizWasm() */
export function graphvizWasm(): Promise<ArrayBuffer> {
  bytes ??= download();
  return bytes;
}
