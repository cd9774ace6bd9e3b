import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { createAgent, type Agent } from './helpers/fixtures.js';
import { expectUnchanged } from './helpers/unchanged.js';

// A JSON POST of a document yoga has already found valid skips the fetch adapter (http/graphql-post.ts).
// Each case here sends a document new to the server (so yoga serves it), then the same request again
// (served the other way), and shows both answers are the same to the byte: status, headers, body.

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const ALLOWED_ORIGIN = 'https://console.example';
const graphqlRequestAccept = 'application/graphql-response+json, application/json';
let app: TestApp;
let agent: Agent;
let documents = 0;

beforeAll(async () => {
  app = await startTestApp({ corsOrigins: [ALLOWED_ORIGIN] });
  agent = await createAgent(app, 'Ana', []);
});
afterAll(async () => {
  await app.stop();
});

async function plainPosts(target: TestApp = app): Promise<number> {
  const text = await (await fetch(new URL('/metrics', target.url))).text();
  const line = text.split('\n').find((l) => l.startsWith('deskgraph_graphql_plain_posts_total '));
  expect(line, 'the plain-post counter is exported').toBeDefined();
  return Number(line!.split(' ')[1]);
}

async function post(body: unknown, headers: Record<string, string>, target: TestApp = app): Promise<Answer> {
  const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return {
    status: response.status,
    headers: Object.fromEntries([...response.headers].filter(([name]) => name !== 'date')),
    body: await response.text(),
  };
}

/** The request as yoga answers it (the document is new), then as the plain path answers it; asserts which path served each. */
async function bothWays(query: string, variables: Record<string, unknown> | undefined, headers: Record<string, string>, target: TestApp = app) {
  documents += 1;
  const body = { query: `${query}\n# case ${documents}`, ...(variables ? { variables } : {}) };
  const before = await plainPosts(target);
  const byYoga = await post(body, headers, target);
  expect(await plainPosts(target), 'a new document goes to yoga').toBe(before);
  const plain = await post(body, headers, target);
  expect(await plainPosts(target), 'the same request again skips the fetch adapter').toBe(before + 1);
  return { byYoga, plain };
}

const acceptValues: (string | undefined)[] = [undefined, '*/*', 'application/json', graphqlRequestAccept];
const origins: (string | undefined)[] = [undefined, ALLOWED_ORIGIN, 'https://elsewhere.example'];

describe('a JSON POST of a known document answers exactly as yoga does', () => {
  for (const accept of acceptValues) {
    for (const origin of origins) {
      const headersOf = (token?: string) => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), ...(accept ? { accept } : {}), ...(origin ? { origin } : {}) });

      it(`Accept ${accept ?? '(none)'}, Origin ${origin ?? '(none)'}: data, and the coded errors of a read`, async () => {
        const data = await bothWays('{ me { id name role } }', undefined, headersOf(app.adminToken));
        expect(data.plain).toEqual(data.byYoga);
        expect(data.plain.status).toBe(200);
        expect(JSON.parse(data.plain.body).data.me.role).toBe('ADMIN');
        expect(data.plain.headers['access-control-allow-origin']).toBe(origin === ALLOWED_ORIGIN ? ALLOWED_ORIGIN : undefined);

        const signedOut = await bothWays('{ channels { id } }', undefined, headersOf());
        expect(signedOut.plain).toEqual(signedOut.byYoga);
        expect(signedOut.plain.status).toBe(401);
        expect(JSON.parse(signedOut.plain.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');

        const badId = await bothWays('query($id: ID!) { ticket(id: $id) { id } }', { id: 'not-an-id' }, headersOf(app.adminToken));
        expect(badId.plain).toEqual(badId.byYoga);
        expect(JSON.parse(badId.plain.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');

        const missing = await bothWays('query($id: ID!) { ticket(id: $id) { id } }', {}, headersOf(app.adminToken));
        expect(missing.plain).toEqual(missing.byYoga);
        expect(JSON.parse(missing.plain.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      });

      it(`Accept ${accept ?? '(none)'}, Origin ${origin ?? '(none)'}: a refused mutation changes nothing either way`, async () => {
        await expectUnchanged(app, async () => {
          const forbidden = await bothWays('mutation($name: String!) { createSector(input: { name: $name }) { id } }', { name: `Sales ${documents}` }, headersOf(agent.token));
          expect(forbidden.plain).toEqual(forbidden.byYoga);
          expect(JSON.parse(forbidden.plain.body).errors[0].extensions.code).toBe('FORBIDDEN');

          const invalid = await bothWays('mutation($name: String!) { createSector(input: { name: $name }) { id } }', { name: '' }, headersOf(app.adminToken));
          expect(invalid.plain).toEqual(invalid.byYoga);
          expect(JSON.parse(invalid.plain.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
        });
      });
    }
  }

  it('commits a mutation it serves, as yoga does', async () => {
    const create = 'mutation($name: String!) { createSector(input: { name: $name }) { id name } }';
    const headers = { authorization: `Bearer ${app.adminToken}` };
    const { byYoga, plain } = await bothWays(create, { name: 'Billing' }, headers);
    expect(JSON.parse(byYoga.body).data.createSector.name).toBe('Billing');
    // The same name again: refused by the rule, so the first was committed.
    expect(JSON.parse(plain.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const { sectors } = await app.admin.request<{ sectors: { name: string }[] }>('{ sectors { name } }');
    expect(sectors.filter((s) => s.name === 'Billing')).toHaveLength(1);
  });

  it('leaves to yoga what it does not know: extensions, a query string, an Accept value yoga has not answered with JSON', async () => {
    const query = '{ me { id } }\n# left to yoga';
    const headers = { authorization: `Bearer ${app.adminToken}` };
    await post({ query }, headers);
    const before = await plainPosts();
    const withExtensions = await post({ query, extensions: {} }, headers);
    expect(JSON.parse(withExtensions.body).data.me.id).toBeDefined();
    const response = await fetch(`${app.url}?op=me`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    expect(response.status).toBe(200);
    const stream = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers }, body: JSON.stringify({ query }) });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.body?.cancel();
    expect(await plainPosts()).toBe(before);
  });
});

describe('a plugin that adds a yoga plugin', () => {
  let withPlugin: TestApp;
  let executions = 0;
  beforeAll(async () => {
    withPlugin = await startTestApp({ plugins: [{ name: 'counter', setup: (api) => api.addEnvelopPlugin({ onExecute: () => void executions++ }) }] });
  });
  afterAll(async () => {
    await withPlugin.stop();
  });

  it('sees every request: the plain path is off, since its request and response hooks would be skipped', async () => {
    const headers = { authorization: `Bearer ${withPlugin.adminToken}` };
    const before = executions;
    for (let i = 0; i < 3; i++) expect(JSON.parse((await post({ query: '{ me { id } }' }, headers, withPlugin)).body).data.me.id).toBeDefined();
    expect(executions - before).toBe(3);
    expect(await plainPosts(withPlugin)).toBe(0);
  });
});

describe('the account budget', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ accountLimits: { requestsPerMinute: 4, ingestsPerMinute: 0 } });
  });
  afterAll(async () => {
    await limited.stop();
  });

  it('answers 429 with Retry-After on both paths once spent', async () => {
    const headers = { authorization: `Bearer ${limited.adminToken}` };
    for (let i = 0; i < 4; i++) await post({ query: '{ me { id } }' }, headers, limited);
    const { byYoga, plain } = await bothWays('{ me { id } }', undefined, headers, limited);
    for (const answer of [byYoga, plain]) {
      expect(answer.status).toBe(429);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('RATE_LIMITED');
    }
    // Retry-After counts down between the two requests; everything else is the same.
    const withoutRetry = (answer: Answer) => ({ ...answer, headers: { ...answer.headers, 'retry-after': '' }, body: answer.body.replace(/\d+ s"/, 'N s"').replace(/"retryAfterSeconds":\d+/, '') });
    expect(withoutRetry(plain)).toEqual(withoutRetry(byYoga));
  });
});
