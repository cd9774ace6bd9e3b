import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { wsClient, wsExecute } from './helpers/ws.js';

// Every error a client can cause carries extensions.code, and in production none names a schema
// element the client did not write ("Did you mean ...").

interface Answer {
  status: number;
  errors: { message: string; extensions?: Record<string, unknown> }[];
}

async function call(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const body = (await response.json()) as { errors?: Answer['errors'] };
  return { status: response.status, errors: body.errors ?? [] };
}

const json = (token: string | null, query: string, variables?: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify({ query, variables }),
});

const CREATE_SECTOR = 'mutation { createSector(input: { name: "Forged" }) { id } }';

describe('errors a client can cause', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it('each carry a code, through the real endpoint, and change nothing', async () => {
    const token = app.adminToken;
    const before = await app.snapshot();
    const kinds: [string, RequestInit, string, number?][] = [
      ['CSRF: a form POST', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent(CREATE_SECTOR)}` }, 'FORBIDDEN', 403],
      ['CSRF: a text/plain POST', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: CREATE_SECTOR }) }, 'FORBIDDEN', 403],
      ['CSRF: a multipart POST', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: CREATE_SECTOR })}\r\n--x--\r\n` }, 'FORBIDDEN', 403],
      ['an Int past 32 bits in a variable', json(token, 'mutation($r: Int!) { rateTicket(ticketId: "x", rating: $r) { rating } }', { r: 2 ** 31 }), 'BAD_USER_INPUT'],
      ['an Int past 32 bits in the document', json(token, 'mutation { rateTicket(ticketId: "x", rating: 2147483648) { rating } }'), 'GRAPHQL_VALIDATION_FAILED'],
      ['a DateTime in year 0000 in a variable', json(token, 'mutation($i: SetAbsenceInput!) { setAbsence(input: $i) { enabled } }', { i: { enabled: true, message: 'Away', endsAt: '0000-06-01T00:00:00Z' } }), 'BAD_USER_INPUT'],
      ['a DateTime in year 0000 in the document', json(token, 'mutation { setAbsence(input: { enabled: true, message: "Away", endsAt: "0000-06-01T00:00:00Z" }) { enabled } }'), 'BAD_USER_INPUT'],
      ['an unknown enum value in a variable', json(token, 'mutation($s: AgentStatus!) { setMyStatus(status: $s) { id } }', { s: 'ONLINEX' }), 'BAD_USER_INPUT'],
      ['an unknown enum value in the document', json(token, 'mutation { setMyStatus(status: ONLINEX) { id } }'), 'GRAPHQL_VALIDATION_FAILED'],
      ['a missing required variable', json(token, 'mutation($s: AgentStatus!) { setMyStatus(status: $s) { id } }', {}), 'BAD_USER_INPUT'],
      ['an unknown input field in a variable', json(token, 'mutation($i: CreateSectorInput!) { createSector(input: $i) { id } }', { i: { name: 'Forged', nmae: 'x' } }), 'BAD_USER_INPUT'],
      ['node(id) that is no global id', json(token, '{ node(id: "garbage!") { id } }'), 'BAD_USER_INPUT'],
      ['node(id) of a type that is no Node', json(token, 'query($id: ID!) { node(id: $id) { id } }', { id: Buffer.from('Nope:1').toString('base64') }), 'BAD_USER_INPUT'],
      ['node(id) of a type that is no Node, but exists', json(token, 'query($id: ID!) { node(id: $id) { id } }', { id: Buffer.from('TicketCounts:1').toString('base64') }), 'BAD_USER_INPUT'],
      ['a syntax error', json(token, 'mutation { createSector('), 'GRAPHQL_PARSE_FAILED'],
      ['an unknown field', json(token, 'mutation { createSectr(input: { name: "Forged" }) { id } }'), 'GRAPHQL_VALIDATION_FAILED'],
      ['several operations and no operationName', json(token, 'query A { me { id } } mutation B { createSector(input: { name: "Forged" }) { id } }'), 'OPERATION_RESOLUTION_FAILURE'],
      ['an operationName the document lacks', { ...json(token, CREATE_SECTOR), body: JSON.stringify({ query: CREATE_SECTOR, operationName: 'Nope' }) }, 'OPERATION_RESOLUTION_FAILURE'],
      ['a body that is no JSON', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"query": ' }, 'BAD_REQUEST', 400],
      ['no query at all', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' }, 'BAD_REQUEST'],
      ['a PUT', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: CREATE_SECTOR }) }, 'BAD_REQUEST', 405],
      ['a mutation over GET', { headers: { authorization: `Bearer ${token}` } }, 'BAD_REQUEST', 405],
      ['no token', json(null, CREATE_SECTOR), 'UNAUTHENTICATED', 401],
      ['a forged token', json(`${token}x`, CREATE_SECTOR), 'UNAUTHENTICATED', 401],
    ];
    for (const [kind, init, code, status] of kinds) {
      const url = kind === 'a mutation over GET' ? `${app.url}?query=${encodeURIComponent(CREATE_SECTOR)}` : app.url;
      const answer = await call(url, init);
      expect(answer.errors.length, kind).toBeGreaterThan(0);
      expect(answer.errors.map((error) => error.extensions?.['code']), kind).toEqual(answer.errors.map(() => code));
      if (status !== undefined) expect(answer.status, kind).toBe(status);
    }
    expect(await app.snapshot()).toBe(before);
  });

  it('name the variable that did not coerce', async () => {
    const answer = await call(app.url, json(app.adminToken, 'mutation($r: Int!) { rateTicket(ticketId: "x", rating: $r) { rating } }', { r: 2 ** 40 }));
    expect(answer.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'r' });
  });

  it('carry a code over graphql-ws too, and leave the socket open', async () => {
    const client = wsClient(app.url, { authorization: `Bearer ${app.adminToken}` });
    try {
      const coerced = await wsExecute(client, 'mutation($s: AgentStatus!) { setMyStatus(status: $s) { id } }', { s: 'ONLINEX' });
      expect(coerced.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
      const garbage = await wsExecute(client, '{ node(id: "garbage!") { id } }');
      expect(garbage.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
      const syntax = await wsExecute(client, '{ me { id ');
      expect(syntax.errors?.map((error) => error.extensions?.['code'])).toEqual(['GRAPHQL_PARSE_FAILED']);
      const unnamed = await wsExecute(client, 'query A { me { id } } query B { me { id } }');
      expect(unnamed.errors?.map((error) => error.extensions?.['code'])).toEqual(['OPERATION_RESOLUTION_FAILURE']);
      // The same socket still serves: a client's mistake never closes it.
      expect((await wsExecute(client, '{ me { email } }')).data).toEqual({ me: { email: 'admin@deskgraph.test' } });
    } finally {
      await client.dispose();
    }
  });
});

describe('in production', () => {
  let production: TestApp;
  beforeAll(async () => {
    production = await startTestApp({ production: true, graphiql: false });
  });
  afterAll(() => production.stop());

  // Each would suggest a schema name outside production (checked first, so the test can fail).
  // [kind, request, the name a suggestion would give]; variables of queries and mutations coerce
  // through graphql-jit, which suggests nothing, so the variable case runs over graphql-ws below.
  const typos: [string, string, string, Record<string, unknown>?][] = [
    ['a field', '{ tickes(status: WAITING) { totalCount } }', 'tickets'],
    ['an argument', '{ tickets(status: WAITING, serch: "x") { totalCount } }', 'search'],
    ['a type', 'query($s: TicketStatu!) { tickets(status: $s) { totalCount } }', 'TicketStatus', { s: 'WAITING' }],
    ['a fragment type', '{ me { ...F } } fragment F on Usr { id }', 'User'],
    ['an enum value in the document', '{ tickets(status: WAITIN) { totalCount } }', 'WAITING'],
    ['an input field in the document', 'mutation { createSector(input: { name: "x", colr: "#ffffff" }) { id } }', 'color'],
  ];

  it('no error suggests a field, argument, type, enum value or input field', async () => {
    const development = await startTestApp();
    try {
      for (const [kind, query, suggestion, variables] of typos) {
        const shown = await call(development.url, json(development.adminToken, query, variables));
        const hidden = await call(production.url, json(production.adminToken, query, variables));
        const messages = hidden.errors.map((error) => error.message).join('\n');
        expect(hidden.errors.length, kind).toBeGreaterThan(0);
        expect(messages, kind).not.toMatch(/Did you mean|Suggestion/);
        expect(messages, kind).not.toContain(`"${suggestion}"`);
        expect(hidden.errors.every((error) => typeof error.extensions?.['code'] === 'string'), kind).toBe(true);
        // The same request outside production does suggest, so each case can fail.
        expect(shown.errors.map((error) => error.message).join('\n'), `${kind} suggests outside production`).toContain(`"${suggestion}"`);
      }
    } finally {
      await development.stop();
    }
  });

  it('nor over graphql-ws, where variables coerce through graphql-js (which suggests enum values)', async () => {
    const development = await startTestApp();
    const subscription = 'subscription($s: TicketStatus) { ticketEvents(status: $s) { kind } }';
    const shownClient = wsClient(development.url, { authorization: `Bearer ${development.adminToken}` });
    const hiddenClient = wsClient(production.url, { authorization: `Bearer ${production.adminToken}` });
    try {
      const shown = await wsExecute(shownClient, subscription, { s: 'WAITIN' });
      expect(shown.errors?.map((error) => error.message).join('\n')).toContain('"WAITING"');
      for (const [query, variables] of [[subscription, { s: 'WAITIN' }], ['subscription { ticketEvents(status: WAITIN) { kind } }', {}]] as const) {
        const hidden = await wsExecute(hiddenClient, query, variables);
        expect(hidden.errors?.length).toBeGreaterThan(0);
        expect(hidden.errors?.map((error) => error.message).join('\n')).not.toMatch(/Did you mean|"WAITING"/);
        expect(hidden.errors?.map((error) => error.extensions?.['code'])).toEqual(hidden.errors?.map(() => expect.any(String)));
      }
    } finally {
      await shownClient.dispose();
      await hiddenClient.dispose();
      await development.stop();
    }
  });
});
