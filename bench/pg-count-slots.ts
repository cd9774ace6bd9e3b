import { parseArgs } from 'node:util';
import pg from 'pg';
import { scratchDatabase } from './pg-scratch.js';
import { openStore } from '../db/store.js';

// Whether the count tables' writer slots pay: 20 writers ingesting into one account and one sector,
// each transaction shaped like ingestMessage (contact, ticket, message, ticket update, outbox event),
// with the slot function as migrated (transaction id % 16) and then pinned to 0 (one hot row per
// count), alternated; and once with no protocol drawn at all (each ingest a number of its own), to show
// what drawing protocols (db/postgres/protocols.ts) still costs. Usage: npm run bench:pg-slots -- --url postgres://postgres@127.0.0.1:5432/postgres

const { values } = parseArgs({ options: { url: { type: 'string' }, seconds: { type: 'string', default: '5' }, writers: { type: 'string', default: '20' } } });
if (!values.url) throw new Error('--url postgres://... (an admin URL: the bench creates and drops its own database)');
const seconds = Number(values.seconds);
const writers = Number(values.writers);

const scratch = await scratchDatabase(values.url, 'bench_slots');

const sliced = 'SELECT (pg_current_xact_id()::text::bigint % 16)::smallint';
const pinned = 'SELECT 0::smallint';

try {
  const store = await openStore({ url: scratch.url });
  async function setSlot(body: string): Promise<void> {
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query(`CREATE OR REPLACE FUNCTION ticket_count_slot() RETURNS smallint LANGUAGE sql AS $$ ${body} $$`);
    await client.end();
  }
  const at = new Date();
  const { account, channel, sector } = await store.write(async (tx) => {
    const account = await tx.accounts.insert({ name: 'Bench', timeZone: 'UTC' }, at);
    const channel = await tx.channels.insert({ accountId: account.id, name: 'Default', kind: 'API', address: null, isDefault: true }, at);
    const sector = await tx.sectors.insert({ accountId: account.id, name: 'Sales', color: '#000000', greeting: null, routingMode: 'MANUAL' }, at);
    return { account, channel, sector };
  });
  let phone = 0;

  async function ingestOnce(protocolFromAccount: boolean): Promise<void> {
    const now = new Date();
    const mine = ++phone;
    await store.write(async (tx) => {
      const contact = await tx.contacts.insert({ accountId: account.id, name: null, phone: `55${String(mine).padStart(11, '0')}`, email: null, city: null, document: null, externalId: null, notes: null, lastInteractionAt: now }, now);
      let ticket = await tx.tickets.insert(
        {
          accountId: account.id, contactId: contact.id, channelId: channel.id, sectorId: sector.id, assigneeId: null, status: 'WAITING',
          lastMessageId: null, outOfHours: false, callbackRequested: null, closedBy: null, closedById: null,
          createdAt: now, queuedAt: now, acceptedAt: null, firstResponseAt: null, closedAt: null, lastActivityAt: now, pendingInboundSince: null,
        },
        protocolFromAccount ? await tx.tickets.nextProtocol(account.id) : 1_000_000_000 + mine,
      );
      const message = await tx.messages.insert({ accountId: account.id, ticketId: ticket.id, direction: 'IN', author: 'CONTACT', authorUserId: null, kind: 'TEXT', body: 'hello', attachments: [], createdAt: now });
      ticket = await tx.tickets.update(ticket.id, { lastMessageId: message.id, pendingInboundSince: now });
      await tx.record({ accountId: account.id, type: 'ticket.created', payload: { ticketId: ticket.id }, occurredAt: now });
    });
  }

  async function measure(name: string, protocolFromAccount = true): Promise<string> {
    const ends = performance.now() + seconds * 1000;
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (performance.now() < ends) {
          const started = performance.now();
          await ingestOnce(protocolFromAccount);
          latencies.push(performance.now() - started);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    return `${name}: ${Math.round(latencies.length / seconds)} ingests/s, p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)} ms`;
  }

  await measure('warm-up');
  for (const round of [1, 2]) {
    await setSlot(sliced);
    console.log(`round ${round} ${await measure('16 writer slots')}`);
    await setSlot(pinned);
    console.log(`round ${round} ${await measure('one slot (hot rows)')}`);
    await setSlot(sliced);
    console.log(`round ${round} ${await measure('16 writer slots, no protocol drawn', false)}`);
  }
  const totals = await store.tickets.tabCounts({ kind: 'account', accountId: account.id, userId: null });
  console.log(`counts after the run: ${JSON.stringify(totals)} (tickets ingested: ${phone})`);
  await store.close();
} finally {
  await scratch.drop();
}
