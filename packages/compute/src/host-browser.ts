/**
 * Workers in a browser: module Web Workers (`new Worker(url, { type: 'module' })`). By default
 * they start from `worker-browser.js` beside this file, which works where the package's files are
 * served as they are and their imports resolve inside a worker; a bundled page passes the
 * worker it bundled (`createPool({ worker })`, see the README). A browser keeps a worker running after an uncaught
 * error, where Node ends the thread: this host terminates it, so both platforms replace a worker
 * that crashed the same way.
 */
import type { Endpoint } from './comlink.ts';
import type { HostedWorker, WorkerEvents, WorkerHost } from './host.ts';
import type { WebWorkerLike, WorkerSource } from './worker-source.ts';

type WorkerConstructor = new (url: URL | string, options: { type: 'module'; name: string }) => WebWorkerLike;

interface BrowserGlobals {
  Worker?: WorkerConstructor;
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

const globals = globalThis as unknown as BrowserGlobals;
const FROM_SOURCE = import.meta.url.endsWith('.ts');

function startWorker(name: string, source: WorkerSource | undefined): WebWorkerLike {
  if (typeof source === 'function') return source();
  const WebWorker = globals.Worker;
  if (!WebWorker) throw new TypeError('createPool: this environment has no Web Worker constructor (globalThis.Worker)');
  const url = source ?? new URL(FROM_SOURCE ? './worker-browser.ts' : './worker-browser.js', import.meta.url);
  return new WebWorker(url, { type: 'module', name });
}

/** What an `error` event of a Worker says: an ErrorEvent's message and place, or a failed start. */
function errorText(event: { message?: unknown; filename?: unknown; lineno?: unknown }): string {
  if (typeof event.message === 'string' && event.message) {
    const where = typeof event.filename === 'string' && event.filename ? ` (${event.filename}:${String(event.lineno)})` : '';
    return `${event.message}${where}`;
  }
  return 'the worker module could not be loaded or failed to start (see the browser console); check the `worker` URL of createPool';
}

/**
 * The browser's worker host: module Web Workers, `navigator.hardwareConcurrency` workers by
 * default, shared memory only when the page is cross-origin isolated.
 *
 * @example
 * const worker = browserHost.start({ name: 'chainrule-compute-1', source: workerUrl }, events);
 */
export const browserHost: WorkerHost = {
  platform: 'browser',
  parallelism: () => Math.max(1, globals.navigator?.hardwareConcurrency ?? 2),
  sharedMemory: () => typeof SharedArrayBuffer === 'function' && globals.crossOriginIsolated !== false,
  start({ name, source }, events: WorkerEvents): HostedWorker {
    const worker = startWorker(name, source);
    let gone = false;
    const stop = () => {
      gone = true;
      worker.removeEventListener('error', onError);
      worker.removeEventListener('messageerror', onMessageError);
      worker.terminate();
    };
    const onError = (received: { readonly type: string }) => {
      const event = received as { message?: unknown; filename?: unknown; lineno?: unknown; preventDefault?: () => void };
      // Reported through the pool's call (as a crash), not again as an error of the page.
      event.preventDefault?.();
      if (gone) return;
      const message = errorText(event);
      events.error(message);
      stop();
      events.exit(message);
    };
    const onMessageError = () => {
      if (!gone) events.messageerror('a message from the worker could not be deserialized');
    };
    worker.addEventListener('error', onError);
    worker.addEventListener('messageerror', onMessageError);
    return {
      endpoint: worker as unknown as Endpoint,
      ref: () => {},
      unref: () => {},
      terminate: async () => stop(),
    };
  },
  // A page's workers end with the page.
  onExit: () => {},
};

/** The host a pool gets when it is not given one (`#worker-host` under the `browser` condition). @example createPool() */
export const defaultHost = browserHost;
