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

/** Collects the `data:` frames of `event: next` as they arrive; `take(n)` waits for n of them. */
function framesOf(response: Response, skip: (frame: any) => boolean) {
  const queue: unknown[] = [];
  let skipped = 0;
  const pump = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (!/^event: next$/m.test(frame) || !data) continue;
        const parsed = JSON.parse(data);
        if (skip(parsed)) skipped += 1;
        else queue.push(parsed);
      }
    }
  })();
  const until = async (condition: () => boolean, what: string, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what}: not in ${timeoutMs} ms; got ${JSON.stringify(queue)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    pump,
    get skipped() {
      return skipped;
    },
    async take(count: number) {
      await until(() => queue.length >= count, `${count} frames`);
      return queue.splice(0, count);
    },
    until,
  };
}

describe('subscriptions over SSE', () => {
  it('streams ticketEvents as this agent sees them', async () => {
    const stream = sse('subscription { ticketEvents(status: WAITING) { kind status ticket { contact { name } } } }', ana.token);
    const response = await stream.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    // Listening once a warm-up ticket's event came through (its frames are set aside), instead of a pause.
    const live = framesOf(response, (frame) => frame.data?.ticketEvents?.ticket?.contact?.name === 'Warm');
    for (let round = 0; live.skipped === 0; round++) {
      expect(round, 'the stream never started').toBeLessThan(20);
      await contactWrites(app, { phone: `551196999${String(round).padStart(4, '0')}`, name: 'Warm', body: 'hi', sectorId: sales });
      await live.until(() => live.skipped > 0, 'warm-up', 500).catch(() => undefined);
    }
    await contactWrites(app, { phone: '5511960000001', name: 'Sol', body: 'hi', sectorId: sales });
    await contactWrites(app, { phone: '5511960000002', name: 'Elsewhere', body: 'hi' });
    await contactWrites(app, { phone: '5511960000003', name: 'Lua', body: 'hi', sectorId: sales });
    const got = await live.take(2);
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
