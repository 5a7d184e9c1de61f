/**
 * The one module of the page that imports Comlink: the workers expose their APIs through it, the
 * page connects to them through it.
 */
import * as Comlink from 'comlink';
import type { DrawApi, EngineApi } from './model.ts';

/** In a worker: answers the page's calls. @example exposeWorker(engine) */
export function exposeWorker(api: EngineApi | DrawApi): void {
  Comlink.expose(api);
}

/** A worker's API, and a way to stop the worker. */
export interface Connection<T> {
  api: Comlink.Remote<T>;
  terminate: () => void;
}

/**
 * Speaks to a worker the page started (`new Worker(new URL(…), { type: 'module' })` stays in the
 * page's own module, so the workers' bundles never reference each other).
 *
 * @example
 * const engine = connect<EngineApi>(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), say);
 */
export function connect<T>(worker: Worker, onError: (message: string) => void): Connection<T> {
  worker.addEventListener('error', (event) => onError(event.message || 'a worker failed to start'));
  worker.addEventListener('messageerror', () => onError('a message from a worker could not be read'));
  return { api: Comlink.wrap<T>(worker), terminate: () => worker.terminate() };
}
