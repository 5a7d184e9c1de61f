/**
 * vitest global setup: builds the page before the browser tests, so they always drive the current
 * sources — from `pnpm test` here or from the workspace's `pnpm vitest` alike.
 */
import { build } from 'vite';
import { WEB_ROOT } from './harness.ts';

export default async function setup(): Promise<void> {
  await build({ root: WEB_ROOT, configFile: `${WEB_ROOT}/vite.config.ts`, logLevel: 'warn' });
}
