/**
 * Graphviz's WebAssembly as a file of the build (`build/graphviz-wasm.ts` takes it out of
 * `@hpcc-js/wasm-graphviz` and points the package's loader at {@link graphvizWasm}). The page
 * starts compiling it as soon as its script runs (`WebAssembly.compileStreaming` on the download
 * `index.html` preloads: the compiler works on background threads while the bytes arrive and
 * while the workers start) and hands the compiled module to the drawing worker, which only
 * instantiates it. A worker that is handed nothing (the engine's, for an SVG download) compiles
 * the file itself.
 */
import wasmUrl from './generated/graphviz.wasm?url';
import { markOnce } from './marks.ts';

/** The WASM file's absolute URL. */
export const graphvizWasmUrl: string = new URL(wasmUrl, import.meta.url).href;

/**
 * Downloads and compiles the WASM, compiling while it downloads; a server that does not send
 * `application/wasm` gets the bytes compiled once they are in.
 *
 * @example const module = await compileGraphvizWasm()
 */
export async function compileGraphvizWasm(): Promise<WebAssembly.Module> {
  const response = await fetch(graphvizWasmUrl);
  if (!response.ok) throw new Error(`cannot load Graphviz's WebAssembly from ${graphvizWasmUrl}: HTTP ${response.status}`);
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type')?.split(';')[0]?.trim() === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

let compiled: Promise<WebAssembly.Module> | undefined;
let fromPage: ((given: WebAssembly.Module | undefined) => void) | undefined;

/**
 * In the drawing worker, as it starts: the compiled WASM will come from the page ({@link provideGraphvizWasm}),
 * so Graphviz's loader waits for it instead of downloading and compiling the file a second time.
 *
 * @example expectGraphvizWasmFromPage()
 */
export function expectGraphvizWasmFromPage(): void {
  compiled ??= new Promise<WebAssembly.Module | undefined>((resolve) => {
    fromPage = resolve;
  }).then((given) => given ?? compileHere());
}

/** In a worker: the WASM the page compiled (`undefined`: the page could not, compile it here). @example provideGraphvizWasm(module) */
export function provideGraphvizWasm(given: WebAssembly.Module | undefined): void {
  if (fromPage) fromPage(given);
  else if (given) compiled ??= Promise.resolve(given);
  fromPage = undefined;
}

function compileHere(): Promise<WebAssembly.Module> {
  return compileGraphvizWasm().catch((error: unknown) => {
    compiled = undefined;
    throw error;
  });
}

/** The compiled WASM for Graphviz's loader: the page's, else compiled here once (a failure is tried again next time). @example await graphvizWasm() */
export function graphvizWasm(): Promise<WebAssembly.Module> {
  markOnce('draw:graphviz-js'); // Graphviz's JavaScript is loaded and asks for its WASM
  compiled ??= compileHere();
  return compiled.then((module) => {
    markOnce('draw:graphviz-wasm');
    return module;
  });
}

/**
 * What the package's loader calls instead of `WebAssembly.instantiate(bytes, imports)` (the
 * build points it here): the module compiled ahead, instantiated with Graphviz's imports.
 *
 * @example const { instance } = await instantiateGraphviz(imports)
 */
export async function instantiateGraphviz(imports: WebAssembly.Imports): Promise<WebAssembly.WebAssemblyInstantiatedSource> {
  const module = await graphvizWasm();
  return { module, instance: await WebAssembly.instantiate(module, imports) };
}
