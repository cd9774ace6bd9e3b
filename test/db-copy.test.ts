import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notebookPlugin } from './fixtures/notebook-plugin.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { databaseUrlOf, dropDatabase, engine, openTestDatabase, prepareDatabase, snapshotOf, tablesOf } from './helpers/database.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { gqlClient, type GqlClient } from './helpers/gql.js';
import { startReceiver } from './helpers/receiver.js';

// npm run db:copy on a real SQLite installation built through the API: the PostgreSQL copy answers
// every tab, count and ticket as the original did, and its relay goes on where the original stopped.
// It needs a PostgreSQL cluster, so it runs in the suite's PostgreSQL run (DESKGRAPH_TEST_ENGINE=postgres).

const webhooksConfig = { webhooks: { allowPrivateUrls: true, maxAttempts: 3, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 2000 } };

function dbCopy(from: string, to: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bin/db-copy.ts', '--from', from, '--to', to], { cwd: process.cwd() }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const TICKET = `id protocol status outOfHours createdAt queuedAt acceptedAt firstResponseAt closedAt closedBy lastActivityAt tags
  sector { id name } assignee { id name } channel { id name } contact { id name phone }
  messages(first: 10) { totalCount edges { cursor node { id body direction kind cursor } } }
  history { kind actorKind createdAt details actor { id } }`;
const TAB = `query($status: TicketStatus!, $all: Boolean) { tickets(status: $status, all: $all, first: 10) { totalCount edges { cursor node { ${TICKET} } } } }`;
const COUNTS = '{ ticketCounts { waiting open closed bySector { sector { id } waitingCount } } }';
const WEBHOOKS = '{ webhooks { id url events active } webhookDeliveries(first: 100) { totalCount edges { node { id status eventType attempts } } } }';

/** Every tab, count and ticket as each viewer sees them. */
async function answersOf(viewers: Record<string, GqlClient>): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  for (const [name, client] of Object.entries(viewers)) {
    answers[`${name} counts`] = await client.request(COUNTS);
    for (const status of ['WAITING', 'OPEN', 'CLOSED']) answers[`${name} ${status}`] = await client.request(TAB, { status });
    answers[`${name} OPEN all`] = await client.request(TAB, { status: 'OPEN', all: true });
  }
  answers['webhooks'] = await viewers['admin']!.request(WEBHOOKS);
  return answers;
}

/** Every delivery settled: the receiver answered and the relay recorded it. */
async function settled(app: TestApp): Promise<void> {
  for (;;) {
    await app.running.relay.settled();
    const { webhookDeliveries } = await app.admin.request(WEBHOOKS);
    if (webhookDeliveries.edges.every((edge: { node: { status: string } }) => edge.node.status === 'DELIVERED')) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Indexes, constraints and triggers (with their enabled state) of a PostgreSQL database, to compare with a fresh one. */
async function catalogOf(url: string): Promise<unknown[]> {
  const db = await openTestDatabase(url, { readonly: true });
  try {
    return [
      await db.rows("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"),
      await db.rows('SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY conname'),
      await db.rows('SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname'),
    ];
  } finally {
    await db.close();
  }
}

/** A table's rows in engine-neutral form: keys sorted, PostgreSQL's count-table slot left out. */
function normalized(rows: readonly string[]): string[] {
  return rows
    .map((row) => {
      const { slot: _slot, ...values } = JSON.parse(row) as Record<string, unknown>;
      return JSON.stringify(Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b))));
    })
    .sort();
}

describe.skipIf(engine !== 'postgres')('db:copy: a SQLite installation moved into PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deskgraph-db-copy-'));
  const otherDir = mkdtempSync(join(tmpdir(), 'deskgraph-db-copy-failed-'));
  const sqlitePath = join(dir, 'installation.sqlite');
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let source: TestApp | undefined;
  let target: TestApp | undefined;
  let agents: Agent[] = [];
  let before: Record<string, unknown>;
  let deliveredBefore: number;

  beforeAll(async () => {
    receiver = await startReceiver();
    // A plugin keeping records in the account, so plugin_records is copied with rows in it.
    source = await startTestApp({ databaseUrl: sqlitePath, pluginConfig: webhooksConfig, plugins: [notebookPlugin().plugin] }, dir);
    const sales = await createSector(source, 'Sales');
    const support = await createSector(source, 'Support');
    agents = [await createAgent(source, 'Ana', [sales]), await createAgent(source, 'Bruno', [support])];
    const [ana, bruno] = agents as [Agent, Agent];
    await source.admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { secret } }', {
      input: { url: receiver.url, events: ['ticket.created', 'message.created', 'ticket.closed'] },
    });
    const answered = await contactWrites(source, { phone: '5511900000001', name: 'Open one', body: 'hello', sectorId: sales });
    const closed = await contactWrites(source, { phone: '5511900000002', name: 'Closed one', body: 'bye', sectorId: sales });
    await contactWrites(source, { phone: '5511900000003', name: 'Waiting in sales', body: 'anyone?', sectorId: sales });
    await contactWrites(source, { phone: '5511900000004', name: 'Waiting in support', body: 'help', sectorId: support });
    const brunos = await contactWrites(source, { phone: '5511900000005', name: 'Support open', body: 'broken', sectorId: support });
    await contactWrites(source, { phone: '5511900000006', name: 'No sector', body: 'hi' });
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: answered.id });
    await ana.client.request('mutation($id: ID!) { sendMessage(ticketId: $id, body: "How can I help?") { id } }', { id: answered.id });
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: closed.id });
    await ana.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: closed.id });
    await bruno.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: brunos.id });
    // 6 tickets created, 7 messages (6 in, 1 out), 1 closed: every event delivered before the move.
    await receiver.until((all) => all.length === 14);
    await settled(source);
    before = await answersOf({ admin: source.admin, ana: ana.client, bruno: bruno.client });
    deliveredBefore = receiver.received.length;
    await source.stop();
    source = undefined;
  });

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    await receiver?.close();
    await dropDatabase(dir);
    await dropDatabase(otherDir);
    rmSync(dir, { recursive: true, force: true });
    rmSync(otherDir, { recursive: true, force: true });
  });

  it('copies every row of every table, refuses to copy again, and the server on the copy answers as the original', async () => {
    const targetUrl = await prepareDatabase(dir);
    const copy = await dbCopy(sqlitePath, targetUrl);
    expect(copy.stderr).toBe('');
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(/row counts match the source/);
    expect(copy.stdout).toMatch(/account 1: 3 waiting, 2 open, 1 closed/);

    const sqliteTables = await tablesOf(sqlitePath);
    const postgresTables = await tablesOf(targetUrl);
    for (const [name, rows] of Object.entries(postgresTables)) expect(normalized(rows), name).toEqual(normalized(sqliteTables[name] ?? []));
    expect(postgresTables['outbox']!.length).toBeGreaterThan(0);
    expect(postgresTables['outbox_consumers']!.length).toBeGreaterThan(0);
    expect(postgresTables['webhook_deliveries']!.length).toBe(14);
    expect(postgresTables['plugin_records']!.map((row) => JSON.parse(row))).toEqual([expect.objectContaining({ account_id: 1, plugin: 'notebook', kind: 'latest', key: 'ticket' })]);
    // The copy drops secondary indexes, foreign keys and count triggers for speed: all back as a fresh database has them.
    const catalog = await catalogOf(targetUrl);
    expect(catalog).toEqual(await catalogOf(await prepareDatabase(otherDir)));
    expect((catalog[0] as unknown[]).length).toBeGreaterThan(40);

    const copied = await snapshotOf(targetUrl);
    const again = await dbCopy(sqlitePath, targetUrl);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/db:copy refused: the database .* already holds an installation/);
    expect(await snapshotOf(targetUrl)).toBe(copied);

    target = await startTestApp({ pluginConfig: webhooksConfig }, dir);
    expect(target.config.databaseUrl).toBe(databaseUrlOf(dir));
    const [ana, bruno] = agents as [Agent, Agent];
    const after = await answersOf({ admin: target.admin, ana: gqlClient(target.url, ana.token), bruno: gqlClient(target.url, bruno.token) });
    expect(after).toEqual(before);

    // The relay goes on from the copied cursor: the next event is the only delivery, with new ids past the copied ones.
    const open = await target.admin.request<{ tickets: { edges: { node: { id: string } }[] } }>('{ tickets(status: OPEN, all: true, first: 1) { edges { node { id } } } }');
    await target.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: open.tickets.edges[0]!.node.id });
    await receiver.until((all) => all.length === deliveredBefore + 1);
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({ type: 'ticket.closed' });
    const events = await tablesOf(targetUrl).then((tables) => tables['outbox']!.map((row) => JSON.parse(row) as { id: number }));
    const copiedIds = postgresTables['outbox']!.map((row) => (JSON.parse(row) as { id: number }).id);
    expect(Math.min(...events.map((e) => e.id).filter((id) => !copiedIds.includes(id)))).toBeGreaterThan(Math.max(...copiedIds));
    expect(receiver.received.length).toBe(deliveredBefore + 1);
  });

  it('leaves the target empty when a row cannot be copied', async () => {
    const brokenPath = join(otherDir, 'broken.sqlite');
    copyFileSync(sqlitePath, brokenPath);
    // PostgreSQL text cannot hold U+0000, SQLite's can: the copy fails on this row, after other tables went in.
    const db = await openTestDatabase(brokenPath);
    expect(await db.run("UPDATE messages SET body = 'half' || char(0) || 'way' WHERE id = (SELECT max(id) FROM messages)")).toBe(1);
    await db.close();
    const targetUrl = await prepareDatabase(otherDir);
    const empty = await snapshotOf(targetUrl);
    const copy = await dbCopy(brokenPath, targetUrl);
    expect(copy.code).toBe(1);
    expect(copy.stderr).toMatch(/^db:copy failed: /);
    expect(await snapshotOf(targetUrl)).toBe(empty);
    expect(Object.values(await tablesOf(targetUrl)).every((rows) => rows.length === 0)).toBe(true);
  });
});
