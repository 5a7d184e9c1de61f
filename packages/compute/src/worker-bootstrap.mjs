// Development only (not published): starts a pool worker from the workspace's TypeScript. Node 20
// cannot start a TypeScript worker with `execArgv: ['--import', 'tsx']` (ERR_UNKNOWN_FILE_EXTENSION),
// so this registers tsx (and the workspace's source condition) itself, then loads the real module.
// Installed, the pool starts the built worker-node.js directly.
await import('../../../scripts/run-from-source.mjs');
await import('./worker-node.ts');
