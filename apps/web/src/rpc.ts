/**
 * The one module of the page that imports Comlink: the worker exposes the engine through it, the
 * page connects to the worker through it.
 */
import * as Comlink from 'comlink';
import type { EngineApi } from './model.ts';

/** In the worker: answers the page's calls. @example exposeEngine(engine) */
export function exposeEngine(engine: EngineApi): void {
  Comlink.expose(engine);
}

/** On the page: the engine in a new module worker, and a way to stop it. @example const { engine } = connectEngine(); await engine.analyze(p, v) */
export function connectEngine(onError: (message: string) => void): { engine: Comlink.Remote<EngineApi>; terminate: () => void } {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'chainrule-engine' });
  worker.addEventListener('error', (event) => onError(event.message || 'the engine worker failed to start'));
  worker.addEventListener('messageerror', () => onError('a message from the engine worker could not be read'));
  return { engine: Comlink.wrap<EngineApi>(worker), terminate: () => worker.terminate() };
}
