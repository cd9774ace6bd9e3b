import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../bin/config.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const CONSOLE = 'https://console.example.com';
const STRANGER = 'https://evil.example.net';

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

function postFrom(app: TestApp, origin: string): Promise<Response> {
  return fetch(app.url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` },
    body: JSON.stringify({ query: '{ me { email } }' }),
  });
}

describe('CORS in production: only listed origins', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ production: true, graphiql: false, corsOrigins: [CONSOLE, 'http://localhost:5173'] });
  });
  afterAll(async () => app?.stop());

  it('a listed origin passes the preflight and may send credentials', async () => {
    const response = await preflight(app.url, CONSOLE);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const post = await postFrom(app, CONSOLE);
    expect(post.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(await post.json()).toEqual({ data: { me: { email: 'admin@deskgraph.test' } } });
  });

  it('an unlisted origin gets no CORS headers, so the browser refuses it', async () => {
    const before = await app.snapshot();
    const response = await preflight(app.url, STRANGER);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await postFrom(app, STRANGER)).headers.get('access-control-allow-origin')).toBeNull();
    expect(await app.snapshot()).toBe(before);
  });

  it('serves no GraphiQL page', async () => {
    const response = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });
});

describe('CORS in production without CORS_ORIGINS, and in development', () => {
  it('production lists nobody by default', async () => {
    const app = await startTestApp({ production: true, graphiql: false });
    try {
      expect((await preflight(app.url, CONSOLE)).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await app.stop();
    }
  });

  it('development allows any origin, never with credentials', async () => {
    const app = await startTestApp();
    try {
      const response = await preflight(app.url, STRANGER);
      expect(response.headers.get('access-control-allow-origin')).toBe(STRANGER);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect((await postFrom(app, STRANGER)).headers.get('access-control-allow-credentials')).toBeNull();
    } finally {
      await app.stop();
    }
  });
});

describe('CORS_ORIGINS', () => {
  const log = pino({ level: 'silent' });
  const base = { JWT_SECRET: 's'.repeat(40), DATABASE_URL: '/tmp/deskgraph-cors-config/x.sqlite' };
  it('reads *, a list, or the default by environment', () => {
    expect(loadConfig({ ...base, CORS_ORIGINS: '*' }, log).corsOrigins).toBe('*');
    expect(loadConfig({ ...base, CORS_ORIGINS: `${CONSOLE}, http://localhost:5173` }, log).corsOrigins).toEqual([CONSOLE, 'http://localhost:5173']);
    expect(loadConfig(base, log).corsOrigins).toBe('*');
    expect(loadConfig({ ...base, NODE_ENV: 'production' }, log).corsOrigins).toEqual([]);
  });

  it('refuses a path, a trailing slash or a bare host, naming the bad entry', () => {
    for (const bad of [`${CONSOLE}/`, `${CONSOLE}/app`, 'console.example.com', `${CONSOLE},*`]) {
      const attempt = () => loadConfig({ ...base, CORS_ORIGINS: bad }, log);
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/CORS_ORIGINS: ".+" is not an origin/);
    }
  });
});

describe('GraphiQL', () => {
  it('is served from the installed package: the page loads nothing from another host', async () => {
    const app = await startTestApp();
    try {
      const response = await fetch(app.url, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      const html = await response.text();
      expect(html).toContain('renderYogaGraphiQL');
      expect(html).toContain('<title>Deskgraph</title>');
      // No external script, stylesheet, icon or worker: every asset is inline.
      expect(html).not.toMatch(/<script[^>]+src=/);
      expect(html).not.toMatch(/<link[^>]+href=["']?https?:/);
      expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/);
    } finally {
      await app.stop();
    }
  });
});
