/**
 * Development only: lets plain `node` run the workspace's TypeScript. Registers tsx, and resolves
 * `@chainrule/*` packages to their `src/` (the `@chainrule/source` export condition; without it
 * they resolve to their built `dist/`, which the workspace does not need). Imported by the CLI's
 * bin and the compute worker's bootstrap when they run inside the workspace; installed packages
 * load their built JavaScript and never reach this file.
 */
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
// Registered after tsx, so it runs first and hands the condition on to tsx's and Node's resolvers.
const addSourceCondition = `export function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, '@chainrule/source'] });
}`;
register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
