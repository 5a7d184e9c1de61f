import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from './app.ts';
import { CORS_ORIGINS_ENV, parseCorsOrigins } from './browser.ts';
import { expectProblem, inlineTasks, postJson, q3Problem, stubPool } from './test-support.ts';

const options = () => ({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks: inlineTasks() });
const COURSE = 'https://course.example.edu';

function preflight(app: ReturnType<typeof createApp>, url: string, origin: string, method = 'POST') {
  return app.request(url, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'content-type' },
  });
}

describe('CORS', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('by default lets any page call every route, without credentials', async () => {
    const app = createApp(options());
    const pre = await preflight(app, '/v1/backprop', COURSE);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')?.split(',')).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();

    const res = await postJson(app, '/v1/backprop', q3Problem(), { Origin: COURSE });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await app.request('/health', { headers: { Origin: COURSE } })).headers.get('access-control-allow-origin')).toBe('*');
  });

  it('sends its headers on errors too, so a page can read the problem and Retry-After', async () => {
    const app = createApp(options());
    const bad = await postJson(app, '/v1/backprop', { equations: ['L = (y'] }, { Origin: COURSE });
    await expectProblem(bad, 422, 'parse');
    expect(bad.headers.get('access-control-allow-origin')).toBe('*');
    expect(bad.headers.get('access-control-expose-headers')).toContain('Retry-After');
    const missing = await app.request('/v1/nothing', { headers: { Origin: COURSE } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers a preflight on every route, where a plain OPTIONS request used to be 405', async () => {
    const app = createApp(options());
    for (const url of ['/v1/graph', '/v1/gradcheck', '/v1/check', '/v1/solutions/q3', '/health']) {
      expect((await preflight(app, url, COURSE, url.includes('solutions') || url === '/health' ? 'GET' : 'POST')).status, url).toBe(204);
    }
  });

  it('allows only the configured origins (createApp option), varying by Origin', async () => {
    const app = createApp({ ...options(), corsOrigins: [COURSE, 'http://localhost:5173'] });
    const allowed = await preflight(app, '/v1/backprop', 'http://localhost:5173');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const other = await preflight(app, '/v1/backprop', 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const res = await app.request('/health', { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it(`reads the origins from ${CORS_ORIGINS_ENV} when the option is not given`, async () => {
    vi.stubEnv(CORS_ORIGINS_ENV, `${COURSE}, http://localhost:5173`);
    const app = createApp(options());
    expect((await preflight(app, '/v1/backprop', COURSE)).headers.get('access-control-allow-origin')).toBe(COURSE);
    expect((await preflight(app, '/v1/backprop', 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    vi.stubEnv(CORS_ORIGINS_ENV, 'https://course.example.edu/');
    expect(() => createApp(options())).toThrow(/'https:\/\/course.example.edu\/' is not an origin.*\(e\.g\. https:\/\/course\.example\.edu\)/);
  });

  it('parses origin lists: *, commas or spaces; refuses what is not an origin', () => {
    expect(parseCorsOrigins(undefined)).toBeUndefined();
    expect(parseCorsOrigins('  ')).toBeUndefined();
    expect(parseCorsOrigins('*')).toBe('*');
    expect(parseCorsOrigins('https://a.example,http://localhost:5173 https://b.example:8443')).toEqual(['https://a.example', 'http://localhost:5173', 'https://b.example:8443']);
    expect(() => parseCorsOrigins('a.example')).toThrow(/'a\.example' is not an origin/);
    expect(() => parseCorsOrigins('https://a.example, *')).toThrow(/'\*' is not an origin.*or \* alone/);
    expect(() => parseCorsOrigins('https://a.example/course')).toThrow(/no path/);
  });
});

describe('security headers', () => {
  const app = createApp(options());

  it('put nosniff, frame protection and a Content-Security-Policy on every HTML page', async () => {
    for (const url of ['/docs']) {
      const res = await app.request(url);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
    }
  });

  it('forbid running or framing anything else the API answers', async () => {
    for (const res of [await app.request('/health'), await app.request('/openapi.json'), await postJson(app, '/v1/backprop', '{"equations": ')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});

describe('charsets', () => {
  const app = createApp(options());
  const body = JSON.stringify(q3Problem());

  it('accepts UTF-8, declared or not', async () => {
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8']) {
      const res = await app.request('/v1/backprop', { method: 'POST', headers: { 'content-type': contentType }, body });
      expect(res.status, contentType).not.toBe(415);
    }
  });

  it('refuses any other charset with 415, naming it', async () => {
    for (const charset of ['iso-8859-1', 'utf-16', '"windows-1252"', 'us-ascii', '']) {
      const res = await app.request('/v1/backprop', { method: 'POST', headers: { 'content-type': `application/json; charset=${charset}` }, body });
      const problem = await expectProblem(res, 415, 'unsupported-media-type');
      expect(problem.detail).toContain('UTF-8');
      expect(problem.detail).toContain(charset === '' ? '(empty)' : charset.replace(/"/g, ''));
    }
  });

  it('refuses a body that is not valid UTF-8 with 400, naming the byte and the line', async () => {
    const latin1 = Buffer.from('{"equations": ["L = 1/2 ||y - t||^2",\n "y = W caf\u00e9"]}', 'latin1');
    const res = await app.request('/v1/backprop', { method: 'POST', headers: { 'content-type': 'application/json' }, body: latin1 });
    const problem = await expectProblem(res, 400, 'malformed-json');
    expect(problem.detail).toBe(`line 2, column 12: the request body is not UTF-8: byte ${latin1.indexOf(0xe9)} (0xe9) starts no UTF-8 character; save or send it as UTF-8`);
    expect(problem).toMatchObject({ line: 2, column: 12 });
  });

  it('still reads UTF-8 bodies with a byte-order mark, and leaves bodiless requests alone', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
    expect((await app.request('/v1/backprop', { method: 'POST', headers: { 'content-type': 'application/json' }, body: withBom })).status).toBe(200);
    expect((await app.request('/v1/backprop', { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await app.request('/v1/solutions/q3?format=md')).status).toBe(200);
  });
});
