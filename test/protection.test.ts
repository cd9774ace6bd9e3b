import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { wsClient, wsExecute } from './helpers/ws.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, json: (await response.json().catch(() => null)) as any };
}

function nested(depth: number): string {
  let selection = 'id';
  for (let level = 0; level < depth; level++) selection = (depth - 1 - level) % 2 === 0 ? `sectors { ${selection} }` : `agents { ${selection} }`;
  return `{ me { ${selection} } }`;
}

describe('query limits run before any resolver', () => {
  it('refuses a 20-deep query without executing it', async () => {
    const { json } = await post(app.url, JSON.stringify({ query: nested(20) }), { authorization: `Bearer ${app.adminToken}` });
    expect(json.data).toBeUndefined();
    expect(json.errors.map((error: { message: string }) => error.message).join('\n')).toMatch(/depth limit of 12/i);
    expect(json.errors.every((error: { extensions: { code: string } }) => error.extensions.code === 'GRAPHQL_VALIDATION_FAILED')).toBe(true);
  });

  it('still runs a reasonably nested query', async () => {
    const { json } = await post(app.url, JSON.stringify({ query: nested(6) }), { authorization: `Bearer ${app.adminToken}` });
    expect(json.errors).toBeUndefined();
    expect(json.data.me.sectors).toEqual([]);
  });

  it('refuses 200 aliases without executing them', async () => {
    const query = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const { json } = await post(app.url, JSON.stringify({ query }), { authorization: `Bearer ${app.adminToken}` });
    expect(json.data).toBeUndefined();
    expect(json.errors[0].message).toMatch(/alias/i);
    expect(json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a query of too many tokens', async () => {
    const query = `{ me { ${'id '.repeat(6000)} } }`;
    const { json } = await post(app.url, JSON.stringify({ query }), { authorization: `Bearer ${app.adminToken}` });
    expect(json.data).toBeUndefined();
    expect(json.errors[0].message).toMatch(/token/i);
    expect(json.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('transport protection', () => {
  it('needs no extra header for a JSON POST with a bearer token (graphql-request and friends)', async () => {
    const { status, json } = await post(app.url, JSON.stringify({ query: '{ me { email } }' }), { authorization: `Bearer ${app.adminToken}` });
    expect(status).toBe(200);
    expect(json.data.me.email).toBeTruthy();
  });

  it('refuses a simple (non-preflighted) request without a CSRF header', async () => {
    const get = await fetch(`${app.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(403);
    const form = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(form.status).toBe(403);
    const withToken = await fetch(`${app.url}?query=${encodeURIComponent('{ me { email } }')}`, { headers: { authorization: `Bearer ${app.adminToken}` } });
    expect(withToken.status).toBe(200);
  });

  it('refuses a body over the limit with 413 and a body of unknown length with 411', async () => {
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(1024 * 1024 + 1) } });
    const { status } = await post(app.url, big, {});
    expect(status).toBe(413);
    const chunked = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }"}'));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });

  it('serves GraphiQL and suggests field names outside production', async () => {
    const page = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const { json } = await post(app.url, JSON.stringify({ query: '{ mee { id } }' }), {});
    expect(json.errors[0].message).toMatch(/Did you mean/);
  });

  it('answers /healthz', async () => {
    const response = await fetch(app.url.replace('/graphql', '/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });
});

describe('in production', () => {
  let production: TestApp;
  beforeAll(async () => {
    production = await startTestApp({ production: true, graphiql: false });
  });
  afterAll(() => production.stop());

  it('turns introspection off, hides field suggestions and serves no GraphiQL', async () => {
    const auth = { authorization: `Bearer ${production.adminToken}` };
    const introspection = await post(production.url, JSON.stringify({ query: '{ __schema { types { name } } }' }), auth);
    expect(introspection.json.data).toBeUndefined();
    expect(introspection.json.errors[0].message).toMatch(/introspection/i);
    const typo = await post(production.url, JSON.stringify({ query: '{ mee { id } }' }), auth);
    expect(typo.json.errors[0].message).not.toMatch(/Did you mean/);
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });

  it('turns introspection off on the socket too, and for a document seen there first', async () => {
    const query = '{ __type(name: "Ticket") { name } }';
    const socket = wsClient(production.url, { authorization: `Bearer ${production.adminToken}` });
    try {
      const overSocket = await wsExecute(socket, query);
      expect(overSocket.data).toBeUndefined();
      expect(overSocket.errors?.[0]?.message).toMatch(/introspection/i);
      expect(overSocket.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await socket.dispose();
    }
    for (let i = 0; i < 2; i++) {
      const overHttp = await post(production.url, JSON.stringify({ query }), { authorization: `Bearer ${production.adminToken}` });
      expect(overHttp.json.data).toBeUndefined();
      expect(overHttp.json.errors[0].message).toMatch(/introspection/i);
    }
  });
});

describe('unexpected errors', () => {
  it('are masked, and /healthz reports the database as unavailable', async () => {
    const broken = await startTestApp();
    try {
      broken.running.services.store.close();
      // Twice: the first by yoga, the second (a document it found valid) without the fetch adapter.
      for (let i = 0; i < 2; i++) {
        const { status, json } = await post(broken.url, JSON.stringify({ query: '{ sectors { name } }' }), { authorization: `Bearer ${broken.adminToken}` });
        expect(status).toBe(500);
        expect(json.errors[0].message).toBe('Unexpected error.');
        expect(JSON.stringify(json)).not.toMatch(/database|sqlite|connection/i);
      }
      const health = await fetch(broken.url.replace('/graphql', '/healthz'));
      expect(health.status).toBe(503);
    } finally {
      await broken.stop();
    }
  });
});
