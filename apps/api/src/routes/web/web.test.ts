import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../browser.ts';
import { webRoutes } from './index.ts';

const dist = mkdtempSync(path.join(tmpdir(), 'chainrule-web-'));
mkdirSync(path.join(dist, 'assets'));
writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>chainrule</title>');
writeFileSync(path.join(dist, 'assets', 'worker-abc.js'), 'self.onmessage = () => {};');
writeFileSync(path.join(dist, 'secret.txt'), 'not an asset');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

// As app.ts mounts it: the page's routes first, then the API's security headers for everything else.
function app(folder = dist) {
  const hono = new Hono();
  hono.route('/', webRoutes({ dist: folder }));
  hono.use('*', securityHeaders());
  hono.get('/v1/thing', (c) => c.json({ ok: true }));
  return hono;
}

const directives = (csp: string | null) => new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

describe('the web page at /', () => {
  it('serves the page with a policy that lets its worker and Graphviz\'s WebAssembly run, from this server only', async () => {
    const res = await app().request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<title>chainrule</title>');
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('script-src')).not.toContain("'unsafe-eval'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves hashed assets for a year, under the same policy (a worker runs under its script\'s policy)', async () => {
    const res = await app().request('/assets/worker-abc.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(directives(res.headers.get('content-security-policy')).get('script-src')).toContain("'wasm-unsafe-eval'");
  });

  it('serves nothing outside the page: other files, missing assets and traversal are not found', async () => {
    const hono = app();
    hono.notFound((c) => c.text('no route', 404));
    for (const url of ['/secret.txt', '/assets/missing.js', '/assets/../secret.txt', '/assets/%2e%2e/secret.txt']) {
      const res = await hono.request(url);
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).not.toContain('not an asset');
    }
  });

  it('leaves the API its own policy', async () => {
    const res = await app().request('/v1/thing');
    expect(directives(res.headers.get('content-security-policy')).get('script-src')).toBeUndefined();
    expect(directives(res.headers.get('content-security-policy')).get('default-src')).toEqual(["'none'"]);
  });

  it('says how to build the page when it is not built', async () => {
    const res = await app(path.join(dist, 'nowhere')).request('/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('pnpm --filter @chainrule/web build');
  });
});
