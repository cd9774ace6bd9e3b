import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';

// Server-Sent Events on the same /graphql: the same context, rules and per-subscriber events.

let app: TestApp;
let sales: string;
let ana: Agent;

beforeAll(async () => {
  app = await startTestApp();
  sales = await createSector(app, 'Sales');
  ana = await createAgent(app, 'Ana', [sales]);
});
afterAll(() => app.stop());

function sse(query: string, token?: string) {
  const controller = new AbortController();
  const response = fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  return { response, close: () => controller.abort() };
}

/** Reads `data:` frames of `event: next` until `count` have arrived. */
async function frames(response: Response, count: number): Promise<unknown[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const found: unknown[] = [];
  let buffer = '';
  while (found.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (/^event: next$/m.test(frame) && data) found.push(JSON.parse(data));
    }
  }
  reader.releaseLock();
  return found;
}

describe('subscriptions over SSE', () => {
  it('streams ticketEvents as this agent sees them', async () => {
    const stream = sse('subscription { ticketEvents(status: WAITING) { kind status ticket { contact { name } } } }', ana.token);
    const response = await stream.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await contactWrites(app, { phone: '5511960000001', name: 'Sol', body: 'hi', sectorId: sales });
    await contactWrites(app, { phone: '5511960000002', name: 'Elsewhere', body: 'hi' });
    await contactWrites(app, { phone: '5511960000003', name: 'Lua', body: 'hi', sectorId: sales });
    const got = await frames(response, 2);
    expect(got).toEqual([
      { data: { ticketEvents: { kind: 'ADDED', status: 'WAITING', ticket: { contact: { name: 'Sol' } } } } },
      { data: { ticketEvents: { kind: 'ADDED', status: 'WAITING', ticket: { contact: { name: 'Lua' } } } } },
    ]);
    stream.close();
  });

  it('answers 401 to a missing or refused token', async () => {
    for (const token of [undefined, 'not.a.jwt']) {
      const stream = sse('subscription { ticketCountsChanged { waiting } }', token);
      const response = await stream.response;
      expect(response.status).toBe(401);
      expect(await response.text()).toMatch(/UNAUTHENTICATED/);
    }
  });
});
