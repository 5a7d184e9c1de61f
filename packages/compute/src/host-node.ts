/**
 * Workers on Node's `worker_threads`. Installed, a worker starts from the built `worker-node.js`
 * beside this file. In the workspace (this file runs as TypeScript) it starts from
 * `worker-bootstrap.mjs`, which registers tsx first: Node 20 cannot start a TypeScript worker
 * with `execArgv: ['--import', 'tsx']`. The bootstrap is not part of the published package.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { nodeEndpoint } from './comlink.ts';
import { type WorkerHost, describeError } from './host.ts';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_MODULE = FROM_SOURCE ? new URL('./worker-bootstrap.mjs', import.meta.url) : new URL('./worker-node.js', import.meta.url);

/**
 * The parent's node flags minus its tsx loader: the bootstrap registers tsx itself, and a second
 * registration inherited from `--import tsx` would only stack another set of hooks.
 */
function workerExecArgv(): string[] {
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (/^--(import|require|loader|experimental-loader)$/.test(flag) && argv[i + 1]?.includes('tsx')) i++;
    else if (!/^--(import|require|loader|experimental-loader)=.*tsx/.test(flag)) flags.push(flag);
  }
  return flags;
}

/**
 * Node's worker host: `worker_threads`, unref'd while idle, `os.availableParallelism()` workers
 * by default, shared memory always.
 *
 * @example
 * const worker = nodeHost.start({ name: 'chainrule-compute-1' }, events);
 */
export const nodeHost: WorkerHost = {
  platform: 'node',
  parallelism: () => os.availableParallelism(),
  sharedMemory: () => true,
  start({ name, source }, events) {
    if (source !== undefined) throw new TypeError('createPool: `worker` is for browsers; on Node the pool starts its own worker module');
    const worker = new Worker(WORKER_MODULE, { name, execArgv: FROM_SOURCE ? workerExecArgv() : undefined });
    worker.unref();
    worker.on('error', (error) => events.error(describeError(error)));
    worker.on('messageerror', (error) => events.messageerror(`a message could not be deserialized (${error.message})`));
    let terminated = false;
    worker.once('exit', (code) => {
      if (!terminated) events.exit(`it exited with code ${code}`);
    });
    return {
      endpoint: nodeEndpoint(worker),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      terminate: async () => {
        terminated = true;
        await worker.terminate();
      },
    };
  },
  onExit(close) {
    process.once('exit', close);
  },
};

/** The host a pool gets when it is not given one (`#worker-host` under the `node` condition). @example createPool() */
export const defaultHost = nodeHost;
