import { decodeGlobalID } from '@pothos/plugin-relay';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskgraphPlugin } from '../plugins/runtime/contract.js';
import type { PublicEvent } from '../resolvers/events/event-contract.js';
import { startDeskgraph } from '../server.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { prepareDatabase, withTestDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';

const received: PublicEvent[] = [];
const recorder: DeskgraphPlugin = { name: 'recorder', setup: (api) => api.on('*', (event) => void received.push(event)) };
const thrower: DeskgraphPlugin = {
  name: 'thrower',
  setup: (api) => api.on('ticket.created', () => {
    throw new Error('this handler always fails');
  }),
};
let executions = 0;
const peek: DeskgraphPlugin = {
  name: 'peek',
  schema(builder, kit) {
    builder.queryField('pluginTicket', (t) =>
      t.field({
        type: kit.types.Ticket,
        nullable: true,
        authScopes: { authenticated: true },
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, context) => (await kit.visibleTickets(context, [Number(decodeGlobalID(String(id)).id)]))[0] ?? null,
      }),
    );
  },
  setup(api) {
    api.route('GET', '/ping', () => ({ status: 200, body: { pong: true } }));
    api.route('POST', '/explode', () => {
      throw new Error('route failure');
    });
    api.addEnvelopPlugin({ onExecute: () => void executions++ });
  },
};

const TICKET_SLA = 'query($id: ID!) { ticket(id: $id) { id createdAt slaDueAt } }';

describe('plugins', () => {
  let app: TestApp;
  let notify: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    notify = await startReceiver();
    app = await startTestApp({
      plugins: ['./plugins/examples/sla.ts', thrower, recorder, peek],
      pluginConfig: { sla: { minutes: '45', notifyUrl: `${notify.url}/chat` } },
      relay: { maxAttempts: 2, retryBaseMs: 10, retryMaxMs: 20, pollMs: 50 },
    });
  });
  afterAll(async () => {
    await app.stop();
    await notify.close();
  });

  it('loads the README example from a path: a Ticket field from its config and a notification on ticket.created', async () => {
    const ticket = await contactWrites(app, { phone: '5511933334444', body: 'sla please' });
    const { ticket: read } = await app.admin.request(TICKET_SLA, { id: ticket.id });
    expect(new Date(read.slaDueAt).getTime() - new Date(read.createdAt).getTime()).toBe(45 * 60_000);
    const [sent] = await notify.until((all) => all.length >= 1);
    expect(sent!.path).toBe('/chat');
    expect(JSON.parse(sent!.body)).toEqual({ text: `Ticket #${ticket.protocol} is waiting; answer within 45 min`, ticketId: ticket.id });
  });

  it('isolates a throwing handler: the mutation commits, other plugins are served, the event is set aside after its retries', async () => {
    const ticket = await contactWrites(app, { phone: '5511933335555', body: 'thrown at' });
    const { ticket: read } = await app.admin.request('query($id: ID!) { ticket(id: $id) { id status } }', { id: ticket.id });
    expect(read).toEqual({ id: ticket.id, status: 'WAITING' });
    await app.running.relay.settled();
    expect(received.some((event) => event.type === 'ticket.created' && event.data.ticket.id === ticket.id)).toBe(true);
    const failures = await withTestDatabase(app.config.databaseUrl, (db) =>
      db.rows(`SELECT consumer, attempts, last_error AS "lastError" FROM outbox_failures WHERE consumer = 'plugin:thrower'`),
    );
    expect(failures).toEqual([
      { consumer: 'plugin:thrower', attempts: 2, lastError: 'this handler always fails' },
      { consumer: 'plugin:thrower', attempts: 2, lastError: 'this handler always fails' },
    ]);
    expect(app.running.relay.stats('plugin:thrower')).toMatchObject({ failedAttempts: 4, setAside: 2 });
  });

  it('never shows a plugin field an invisible ticket', async () => {
    const a = await createSector(app, 'Plugin A');
    const b = await createSector(app, 'Plugin B');
    const inA = await createAgent(app, 'InA', [a]);
    const inB = await createAgent(app, 'InB', [b]);
    const ticket = await contactWrites(app, { phone: '5511933336666', body: 'for A', sectorId: a });
    const query = 'query($id: ID!) { pluginTicket(id: $id) { id slaDueAt } }';
    expect((await inB.client.request(query, { id: ticket.id })).pluginTicket).toBeNull();
    expect((await inA.client.request(query, { id: ticket.id })).pluginTicket.id).toBe(ticket.id);
    expect((await inB.client.request(TICKET_SLA, { id: ticket.id })).ticket).toBeNull();
  });

  it('serves plugin routes and envelop plugins; a failing route answers 500 and the server goes on', async () => {
    const base = app.url.replace('/graphql', '/plugins/peek');
    expect(await (await fetch(`${base}/ping`)).json()).toEqual({ pong: true });
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/ping`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${base}/explode`, { method: 'POST', body: '{}' })).status).toBe(500);
    const before = executions;
    await app.admin.request('{ me { id } }');
    expect(executions).toBe(before + 1);
  });
});

describe('plugin start-up errors', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const start = async (overrides: Parameters<typeof testConfig>[1]) => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-plugin-'));
    dirs.push(dir);
    await prepareDatabase(dir);
    return startDeskgraph(testConfig(dir, overrides), { port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
  };

  it('stops with a message naming the plugin: bad config, missing module, failing setup, bad shape', async () => {
    await expect(start({ plugins: ['./plugins/examples/sla.ts'], pluginConfig: { sla: { minutes: '0' } } })).rejects.toThrow(/Plugin "sla" has invalid config: minutes: /);
    await expect(start({ plugins: ['./plugins/examples/sla.ts'], env: { SLA_NOTIFY_URL: 'not a url' } })).rejects.toThrow(/Plugin "sla" has invalid config: notifyUrl/);
    await expect(start({ plugins: ['./no/such/plugin.ts'] })).rejects.toThrow(/Plugin "\.\/no\/such\/plugin\.ts" could not be loaded/);
    const broken: DeskgraphPlugin = { name: 'broken', setup: () => { throw new Error('cannot reach the CRM'); } };
    await expect(start({ plugins: [broken] })).rejects.toThrow('Plugin "broken" failed to start: cannot reach the CRM');
    await expect(start({ plugins: [{ name: 'Bad Name', setup: () => undefined } as DeskgraphPlugin] })).rejects.toThrow(/Plugin "Bad Name" does not export/);
    await expect(start({ pluginConfig: { webhooks: { maxAttempts: 'many' } } })).rejects.toThrow(/Plugin "webhooks" has invalid config: maxAttempts/);
  });

  it('reads a plugin config from <NAME>_* variables', async () => {
    const running = await start({ plugins: ['./plugins/examples/sla.ts'], env: { SLA_MINUTES: '15' } });
    try {
      expect(running.services.plugins.get('sla')?.config).toEqual({ minutes: 15 });
    } finally {
      await running.stop();
    }
  });
});
