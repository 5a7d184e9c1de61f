/**
 * The web page (`apps/web`, built to `apps/web/dist`) at `/`: its static files with a
 * Content-Security-Policy made for it. Mounted before the API's own security headers, which
 * would otherwise give its scripts `default-src 'none'` — and the page needs scripts, a module
 * worker and Graphviz's WebAssembly (`'wasm-unsafe-eval'`), all from this server only.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** The environment variable naming another folder of the built page. */
export const WEB_DIST_ENV = 'CHAINRULE_WEB_DIST';

/** The page's Content-Security-Policy: everything from this server; KaTeX's inline styles; WebAssembly compiled from the page's own scripts. */
export const PAGE_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  workerSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  fontSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  manifestSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

const DEFAULT_DIST = fileURLToPath(new URL('../../../../web/dist', import.meta.url));

/**
 * The page's routes: `/` and `/index.html` (revalidated on every load), `/assets/*` (named by
 * content hash, cached for a year). Without a build, `/` says how to make one.
 *
 * @example
 * app.route('/', webRoutes());                       // before app.use('*', securityHeaders())
 * app.route('/', webRoutes({ dist: '/srv/chainrule-web' }));
 */
export function webRoutes(options: { dist?: string } = {}) {
  const dist = path.resolve(options.dist ?? process.env[WEB_DIST_ENV] ?? DEFAULT_DIST);
  const app = new Hono();
  const headers = secureHeaders({ contentSecurityPolicy: PAGE_CSP, xFrameOptions: 'DENY', crossOriginResourcePolicy: 'same-origin' });
  for (const route of ['/', '/index.html', '/assets/*']) app.use(route, headers);

  // Cache-Control is set on what the static handler answered (a header set after its body is made would be lost).
  const cached = (handler: MiddlewareHandler, cacheControl: string): MiddlewareHandler => async (c, next) => {
    const response = await handler(c, next);
    if (response instanceof Response && response.ok) response.headers.set('Cache-Control', cacheControl);
    return response;
  };
  const page = cached(serveStatic({ root: dist, path: 'index.html' }), 'no-cache');
  const built = () => existsSync(path.join(dist, 'index.html'));
  const notBuilt = `The web page is not built. Build it with: pnpm --filter @chainrule/web build (looked in ${dist})\n`;
  const pageOrHint: MiddlewareHandler = async (c, next) => (built() ? page(c, next) : c.text(notBuilt, 503));
  app.get('/', pageOrHint);
  app.get('/index.html', pageOrHint);
  app.get('/assets/*', cached(serveStatic({ root: dist }), 'public, max-age=31536000, immutable'));
  return app;
}
