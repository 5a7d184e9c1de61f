// A task module with no tasks that records, when a worker imports it, that it was loaded.
const loads = ((globalThis as { chainruleFixtureLoads?: string[] }).chainruleFixtureLoads ??= []);
loads.push('marker');
export const TASKS = {};
