/** @chainrule/api — the HTTP API of chainrule: the app, the server, the typed client. */
export { type AppOptions, type AppType, createApp } from './app.ts';
export { type ChainruleClient, createClient } from './client.ts';
export { type ApiLimits, DEFAULT_LIMITS } from './limits.ts';
export { type ProblemDetails, PROBLEM_JSON, PROBLEM_TYPE_BASE } from './problem.ts';
export { DEFAULT_PORT, type RunningServer, type ServerOptions, startServer } from './server.ts';
export { type TaskRunner, poolTasks } from './offload/pool.ts';
