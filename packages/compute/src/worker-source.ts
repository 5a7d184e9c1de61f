/**
 * How a page says where its compute workers start from. Kept apart from the hosts (and free of
 * imports) so the published declarations a consumer's tsc reads never reach Comlink's own paths.
 */

/**
 * A browser `Worker`, as far as the pool uses one (structural, so no DOM typings are needed to
 * pass one in).
 *
 * @example
 * const make: () => WebWorkerLike = () => new Worker(new URL('./compute-worker.js', import.meta.url), { type: 'module' });
 */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer: never[]): void;
  addEventListener(type: string, listener: (event: { readonly type: string }) => void): void;
  removeEventListener(type: string, listener: (event: { readonly type: string }) => void): void;
  terminate(): void;
}

/**
 * Where browser workers start from: the URL of the worker module (started as
 * `new Worker(url, { type: 'module' })`), or a function that starts one (the form Vite's
 * `?worker` imports and `new Worker(new URL(…, import.meta.url))` in the page's own code give).
 *
 * @example
 * createPool({ worker: new URL('./compute-worker.js', import.meta.url) });
 */
export type WorkerSource = URL | string | (() => WebWorkerLike);

