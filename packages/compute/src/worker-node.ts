/**
 * A pool worker on a Node worker thread: the worker API exposed on the parent port. Installed,
 * the host starts this file built (`worker-node.js`); in the workspace `worker-bootstrap.mjs`
 * registers tsx and imports it.
 */
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { type NodeEndpointLike, expose, nodeEndpoint } from './comlink.ts';
import { blockFor, workerApi } from './worker-api.ts';

if (!parentPort) throw new Error('worker-node.js runs inside a worker thread of the compute pool');

// On Linux, setpriority(PRIO_PROCESS, 0) applies to the calling thread only: the workers yield the
// CPU to the thread that serves the CLI or the API, which must stay responsive while they compute.
try {
  os.setPriority(10);
} catch {
  // Not permitted or not supported here: the workers run at normal priority.
}
expose(workerApi({ block: blockFor, exit: (code) => process.exit(code) }), nodeEndpoint(parentPort as unknown as NodeEndpointLike));
