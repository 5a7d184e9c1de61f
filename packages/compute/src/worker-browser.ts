/**
 * A pool worker in a browser: the worker API exposed on the Web Worker's own scope. Bundle this
 * module as the page's compute worker (`import '@chainrule/compute/worker'` in a worker entry);
 * an unbundled page loads the built `worker-browser.js` by default.
 */
import { type Endpoint, expose } from './comlink.ts';
import { blockFor, workerApi } from './worker-api.ts';

interface WorkerScope {
  close(): void;
}

const scope = globalThis as unknown as WorkerScope & Endpoint;
if (typeof scope.close !== 'function' || 'document' in globalThis) throw new Error('worker-browser.js runs inside a Web Worker of the compute pool');

expose(
  workerApi({
    block: blockFor,
    // A Web Worker cannot end with a code; it throws so its host sees it go (and terminates it).
    exit: (code) => {
      setTimeout(() => {
        throw new Error(`debug: exit(${code}) on request`);
      });
    },
  }),
  scope,
);
