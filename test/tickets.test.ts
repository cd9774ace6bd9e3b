import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { withTestDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector, INGEST, type Agent } from './helpers/fixtures.js';

const TICKET = `query($id: ID!) { ticket(id: $id) { id protocol status sector { name } assignee { name } contact { name phone }
  channel { name } firstResponseAt closedBy tags history { kind actorKind actor { name } details }
  messages(first: 10) { totalCount edges { node { body direction author kind attachments { url mime name } authorUser { name } } } } } }`;
const TAB = `query($status: TicketStatus!, $all: Boolean, $first: Int, $after: String, $sectorId: ID, $search: String) {
  tickets(status: $status, all: $all, first: $first, after: $after, sectorId: $sectorId, search: $search) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id protocol status } } } }`;
const COUNTS = '{ ticketCounts { waiting open closed } }';
const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id status assignee { name } } }';
const CLOSE = 'mutation($id: ID!) { closeTicket(id: $id) { id status closedBy } }';
const REOPEN = 'mutation($id: ID!) { reopenTicket(id: $id) { id status assignee { name } } }';
const TRANSFER = 'mutation($id: ID!, $sectorId: ID, $userId: ID, $channelId: ID) { transferTicket(id: $id, sectorId: $sectorId, userId: $userId, channelId: $channelId) { id status sector { name } assignee { name } channel { name } } }';
const SEND = 'mutation($id: ID!, $body: String!) { sendMessage(ticketId: $id, body: $body) { id body direction kind } }';
const NOTE = 'mutation($id: ID!, $body: String!) { addNote(ticketId: $id, body: $body) { id kind } }';

let app: TestApp;
let sales: string;
let support: string;
let ana: Agent; // Sales
let bruno: Agent; // Support
let carla: Agent; // Sales, may dismiss waiting tickets

beforeAll(async () => {
  app = await startTestApp();
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
  bruno = await createAgent(app, 'Bruno', [support]);
  carla = await createAgent(app, 'Carla', [sales], { canDismissWaiting: true });
});
afterAll(() => app.stop());

const ids = (tab: { edges: { node: { id: string } }[] }) => tab.edges.map((edge) => edge.node.id);

describe('the lifecycle through the endpoint', () => {
  it('ingests, queues, accepts, answers, transfers, closes, reopens, and opens a new ticket after close', async () => {
    const first = await contactWrites(app, { phone: '+55 (11) 98888-7777', name: 'Maria', body: 'Hi, I want to buy', sectorId: sales });
    expect(first).toMatchObject({ status: 'WAITING', sector: { id: sales } });
    const again = await contactWrites(app, { phone: '5511988887777', body: 'Anyone there?' });
    expect(again.id).toBe(first.id);

    // Waiting: Sales agents see it and may peek without taking it; Support does not see it at all.
    expect(ids((await ana.client.request(TAB, { status: 'WAITING' })).tickets)).toContain(first.id);
    expect(ids((await bruno.client.request(TAB, { status: 'WAITING' })).tickets)).not.toContain(first.id);
    expect((await bruno.client.request(TICKET, { id: first.id })).ticket).toBeNull();
    const peek = (await carla.client.request(TICKET, { id: first.id })).ticket;
    expect(peek.contact).toEqual({ name: 'Maria', phone: '5511988887777' });
    expect(peek.messages.edges.map((e: { node: { body: string } }) => e.node.body)).toEqual(['Anyone there?', 'Hi, I want to buy']);
    expect(peek.status).toBe('WAITING');

    const { acceptTicket } = await ana.client.request(ACCEPT, { id: first.id });
    expect(acceptTicket).toMatchObject({ status: 'OPEN', assignee: { name: 'Ana' } });
    expect(ids((await carla.client.request(TAB, { status: 'WAITING' })).tickets)).not.toContain(first.id);
    expect(ids((await ana.client.request(TAB, { status: 'OPEN' })).tickets)).toEqual([first.id]);
    expect(ids((await carla.client.request(TAB, { status: 'OPEN' })).tickets)).toEqual([]);
    expect(ids((await carla.client.request(TAB, { status: 'OPEN', all: true })).tickets)).toContain(first.id);

    await ana.client.request(SEND, { id: first.id, body: 'Hello Maria!' });
    await carla.client.request(NOTE, { id: first.id, body: 'VIP customer' });
    await ana.client.request('mutation($id: ID!) { setTicketTags(id: $id, tags: ["vip", "VIP", "sale"]) { id } }', { id: first.id });

    const { transferTicket } = await ana.client.request(TRANSFER, { id: first.id, sectorId: support });
    expect(transferTicket).toMatchObject({ status: 'WAITING', sector: { name: 'Support' }, assignee: null });
    expect((await ana.client.request(TICKET, { id: first.id })).ticket).toBeNull();
    expect(ids((await bruno.client.request(TAB, { status: 'WAITING' })).tickets)).toContain(first.id);

    const toAgent = await bruno.client.request(TRANSFER, { id: first.id, userId: ana.id });
    expect(toAgent.transferTicket).toMatchObject({ status: 'OPEN', sector: { name: 'Support' }, assignee: { name: 'Ana' } });
    expect((await ana.client.request(TICKET, { id: first.id })).ticket.status).toBe('OPEN');

    expect((await ana.client.request(CLOSE, { id: first.id })).closeTicket).toMatchObject({ status: 'CLOSED', closedBy: 'AGENT' });
    expect((await ana.client.request(REOPEN, { id: first.id })).reopenTicket).toMatchObject({ status: 'OPEN', assignee: { name: 'Ana' } });
    await ana.client.request(CLOSE, { id: first.id });

    const next = await contactWrites(app, { phone: '5511988887777', body: 'Me again', sectorId: sales });
    expect(next.id).not.toBe(first.id);
    expect(next.protocol).toBe(first.protocol + 1);
    expect(next.status).toBe('WAITING');

    const history = (await app.admin.request(TICKET, { id: first.id })).ticket;
    expect(history.history.map((h: { kind: string }) => h.kind)).toEqual(['CREATED', 'ACCEPTED', 'TAGGED', 'TRANSFERRED', 'TRANSFERRED', 'CLOSED', 'REOPENED', 'CLOSED']);
    expect(history.history[0]).toMatchObject({ actorKind: 'USER', actor: { name: 'Administrator' } });
    expect(history.history[3].details).toMatchObject({ toSectorId: expect.any(Number) });
    expect(history.tags).toEqual(['sale', 'vip']);
    expect(history.firstResponseAt).not.toBeNull();
    const kinds = history.messages.edges.map((e: { node: { kind: string; direction: string; author: string } }) => `${e.node.direction}/${e.node.author}/${e.node.kind}`);
    expect(kinds).toEqual(['OUT/AGENT/NOTE', 'OUT/AGENT/TEXT', 'IN/CONTACT/TEXT', 'IN/CONTACT/TEXT']);
    expect(history.messages.totalCount).toBe(4);
  });

  it('stores attachments and message kinds', async () => {
    const ticket = await contactWrites(app, { phone: '5521911112222', body: '', sectorId: sales, ...{ kind: 'IMAGE', attachments: [{ url: 'https://cdn.example/p.jpg', mime: 'image/jpeg', name: 'p.jpg' }] } } as never);
    const { ticket: read } = await app.admin.request(TICKET, { id: ticket.id });
    expect(read.messages.edges[0].node).toMatchObject({ kind: 'IMAGE', body: null, attachments: [{ url: 'https://cdn.example/p.jpg', mime: 'image/jpeg', name: 'p.jpg' }] });
  });

  it('recognises a redelivered message by its external id: same ticket, nothing added', async () => {
    const input = { contact: { phone: '5521933330000' }, body: 'delivered twice', sectorId: sales, externalId: 'wamid.HBgM001' };
    const ingest = 'mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id messages { edges { node { body externalId } } } } }';
    const { ingestMessage: first } = await app.admin.request(ingest, { input });
    const before = await app.snapshot();
    const { ingestMessage: again } = await app.admin.request(ingest, { input });
    expect(again.id).toBe(first.id);
    expect(again.messages.edges.map((edge: { node: unknown }) => edge.node)).toEqual([{ body: 'delivered twice', externalId: 'wamid.HBgM001' }]);
    expect(await app.snapshot()).toBe(before);
    await app.admin.expectCode(ingest, { input: { ...input, externalId: ' ' } }, 'BAD_USER_INPUT', 'input.externalId');
    expect(await app.snapshot()).toBe(before);
  });

  it('cancels for the contact only while the ticket is still in the expected status', async () => {
    const cancel = 'mutation($id: ID!) { cancelTicket(id: $id, onlyIfStatus: WAITING) { status closedBy } }';
    const taken = await contactWrites(app, { phone: '5521933330001', body: 'taken meanwhile', sectorId: sales });
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: taken.id });
    const before = await app.snapshot();
    const error = await app.admin.expectCode(cancel, { id: taken.id }, 'CONFLICT');
    expect(error.extensions?.['reason']).toBe('STATUS_CHANGED');
    expect(await app.snapshot()).toBe(before);
    const queued = await contactWrites(app, { phone: '5521933330002', body: 'still queued', sectorId: sales });
    expect((await app.admin.request(cancel, { id: queued.id })).cancelTicket).toEqual({ status: 'CLOSED', closedBy: 'CONTACT' });
  });

  it('shows a ticket without a sector to ADMINs only', async () => {
    const orphan = await contactWrites(app, { phone: '5531900000001', body: 'Which sector?' });
    expect(orphan.sector).toBeNull();
    expect((await ana.client.request(TICKET, { id: orphan.id })).ticket).toBeNull();
    expect(ids((await app.admin.request(TAB, { status: 'WAITING' })).tickets)).toContain(orphan.id);
    // The bot's menu answer puts it in a queue.
    await contactWrites(app, { phone: '5531900000001', body: '1', sectorId: sales });
    expect((await ana.client.request(TICKET, { id: orphan.id })).ticket.sector.name).toBe('Sales');
  });

  it('lets only ADMINs and canDismissWaiting agents close a waiting ticket unattended', async () => {
    const ticket = await contactWrites(app, { phone: '5541900000002', body: 'spam', sectorId: sales });
    const before = await app.snapshot();
    await ana.client.expectCode(CLOSE, { id: ticket.id }, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
    expect((await carla.client.request(CLOSE, { id: ticket.id })).closeTicket.status).toBe('CLOSED');
  });

  it('takes the oldest waiting ticket of my sectors, and null when the queues are empty', async () => {
    const dora = await createAgent(app, 'Dora', [await createSector(app, 'Billing')]);
    const billing = (await dora.client.request('{ me { sectors { id } } }')).me.sectors[0].id;
    expect((await dora.client.request('mutation { takeNextTicket { id } }')).takeNextTicket).toBeNull();
    const older = await contactWrites(app, { phone: '5551900000003', body: 'first', sectorId: billing });
    await contactWrites(app, { phone: '5551900000004', body: 'second', sectorId: billing });
    await contactWrites(app, { phone: '5551900000003', body: 'more activity on the older one' });
    const { takeNextTicket } = await dora.client.request('mutation { takeNextTicket { id status assignee { name } } }');
    expect(takeNextTicket).toEqual({ id: older.id, status: 'OPEN', assignee: { name: 'Dora' } });
  });
});

describe('taking tickets needs an available agent', () => {
  it('refuses an agent who is not ONLINE, at capacity, or outside working hours, changing nothing', async () => {
    const paused = await createAgent(app, 'Paulo', [sales], {}, 'PAUSED');
    const busy = await createAgent(app, 'Beto', [sales], { maxConcurrentTickets: 1 });
    const night = await createAgent(app, 'Nina', [sales], { workingHours: { timeZone: 'UTC', intervals: [] } });
    const a = await contactWrites(app, { phone: '5561900000005', body: 'a', sectorId: sales });
    const b = await contactWrites(app, { phone: '5561900000006', body: 'b', sectorId: sales });
    await busy.client.request(ACCEPT, { id: a.id });

    const before = await app.snapshot();
    expect((await paused.client.expectCode(ACCEPT, { id: b.id }, 'CONFLICT')).extensions?.['reason']).toBe('AGENT_NOT_ONLINE');
    expect((await busy.client.expectCode(ACCEPT, { id: b.id }, 'CONFLICT')).extensions?.['reason']).toBe('AT_CAPACITY');
    await night.client.expectCode(ACCEPT, { id: b.id }, 'OUTSIDE_WORKING_HOURS');
    await night.client.expectCode('mutation { takeNextTicket { id } }', undefined, 'OUTSIDE_WORKING_HOURS');
    expect(await app.snapshot()).toBe(before);

    await app.admin.request('mutation($id: ID!, $userId: ID!) { transferTicket(id: $id, userId: $userId) { id } }', { id: b.id, userId: night.id });
    const beforeSend = await app.snapshot();
    await night.client.expectCode(SEND, { id: b.id, body: 'at night' }, 'OUTSIDE_WORKING_HOURS');
    expect(await app.snapshot()).toBe(beforeSend);
  });

  it('gives a ticket to exactly one of 20 agents racing to accept it', async () => {
    const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => createAgent(app, `Racer${i}`, [sales])));
    const ticket = await contactWrites(app, { phone: '5571900000007', body: 'who wins?', sectorId: sales });
    const results = await Promise.all(racers.map((racer) => racer.client.errors(ACCEPT, { id: ticket.id })));
    const winners = results.filter((errors) => errors.length === 0);
    const losers = results.filter((errors) => errors.length > 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const errors of losers) expect(errors[0]?.extensions?.['code']).toBe('TICKET_ALREADY_TAKEN');
    const { ticket: read } = await app.admin.request(TICKET, { id: ticket.id });
    expect(read.history.filter((h: { kind: string }) => h.kind === 'ACCEPTED')).toHaveLength(1);
  });
});

describe('bad input and wrong states change nothing', () => {
  const unknownTicket = Buffer.from('Ticket:999999').toString('base64');
  const cases: [string, () => Promise<{ client: Agent['client']; query: string; variables: Record<string, unknown>; code: string; field?: string }>][] = [
    ['accepting an unknown ticket', async () => ({ client: ana.client, query: ACCEPT, variables: { id: unknownTicket }, code: 'NOT_FOUND' })],
    [
      'accepting a ticket of another sector (invisible = missing)',
      async () => ({ client: bruno.client, query: ACCEPT, variables: { id: (await contactWrites(app, { phone: '5581900000008', body: 'x', sectorId: sales })).id }, code: 'NOT_FOUND' }),
    ],
    [
      'accepting a taken ticket',
      async () => {
        const t = await contactWrites(app, { phone: '5581900000009', body: 'x', sectorId: sales });
        await ana.client.request(ACCEPT, { id: t.id });
        return { client: carla.client, query: ACCEPT, variables: { id: t.id }, code: 'TICKET_ALREADY_TAKEN' };
      },
    ],
    [
      'reopening an OPEN ticket',
      async () => {
        const t = await contactWrites(app, { phone: '5581900000010', body: 'x', sectorId: sales });
        await ana.client.request(ACCEPT, { id: t.id });
        return { client: ana.client, query: REOPEN, variables: { id: t.id }, code: 'CONFLICT' };
      },
    ],
    [
      'closing a ticket twice',
      async () => {
        const t = await contactWrites(app, { phone: '5581900000011', body: 'x', sectorId: sales });
        await carla.client.request(CLOSE, { id: t.id });
        return { client: carla.client, query: CLOSE, variables: { id: t.id }, code: 'CONFLICT' };
      },
    ],
    [
      "answering someone else's ticket",
      async () => {
        const t = await contactWrites(app, { phone: '5581900000012', body: 'x', sectorId: sales });
        await ana.client.request(ACCEPT, { id: t.id });
        return { client: carla.client, query: SEND, variables: { id: t.id, body: 'mine now' }, code: 'FORBIDDEN' };
      },
    ],
    [
      'answering a waiting ticket',
      async () => ({ client: app.admin, query: SEND, variables: { id: (await contactWrites(app, { phone: '5581900000013', body: 'x', sectorId: sales })).id, body: 'hi' }, code: 'CONFLICT' }),
    ],
    [
      'an empty answer',
      async () => {
        const t = await contactWrites(app, { phone: '5581900000014', body: 'x', sectorId: sales });
        await ana.client.request(ACCEPT, { id: t.id });
        return { client: ana.client, query: SEND, variables: { id: t.id, body: '   ' }, code: 'BAD_USER_INPUT', field: 'body' };
      },
    ],
    [
      'a transfer with no target',
      async () => ({ client: app.admin, query: TRANSFER, variables: { id: (await contactWrites(app, { phone: '5581900000015', body: 'x', sectorId: sales })).id }, code: 'BAD_USER_INPUT', field: 'sectorId' }),
    ],
    [
      'a transfer to an unknown sector',
      async () => ({ client: app.admin, query: TRANSFER, variables: { id: (await contactWrites(app, { phone: '5581900000016', body: 'x', sectorId: sales })).id, sectorId: Buffer.from('Sector:9999').toString('base64') }, code: 'BAD_USER_INPUT', field: 'sectorId' }),
    ],
    ['ingesting a phone of 3 digits', async () => ({ client: app.admin, query: INGEST, variables: { input: { contact: { phone: '123' }, body: 'x' } }, code: 'BAD_USER_INPUT', field: 'input.contact.phone' })],
    ['ingesting an empty message', async () => ({ client: app.admin, query: INGEST, variables: { input: { contact: { phone: '5581900000017' }, body: '' } }, code: 'BAD_USER_INPUT', field: 'input.body' })],
    ['ingesting into an unknown sector', async () => ({ client: app.admin, query: INGEST, variables: { input: { contact: { phone: '5581900000018' }, body: 'x', sectorId: Buffer.from('Sector:9999').toString('base64') } }, code: 'BAD_USER_INPUT', field: 'input.sectorId' })],
    ['ingesting as a USER', async () => ({ client: ana.client, query: INGEST, variables: { input: { contact: { phone: '5581900000019' }, body: 'x' } }, code: 'FORBIDDEN' })],
    ['a page of 101', async () => ({ client: ana.client, query: TAB, variables: { status: 'WAITING', first: 101 }, code: 'BAD_USER_INPUT', field: 'first' })],
    ['a forged cursor', async () => ({ client: ana.client, query: TAB, variables: { status: 'WAITING', after: 'bm9wZQ' }, code: 'BAD_USER_INPUT', field: 'after' })],
  ];

  it.each(cases)('%s', async (_name, make) => {
    const { client, query, variables, code, field } = await make();
    const before = await app.snapshot();
    await client.expectCode(query, variables, code, field);
    expect(await app.snapshot()).toBe(before);
  });
});

describe('lists, counts and search', () => {
  it('pages with stable cursors, newest activity first, and counts match the pages', async () => {
    const mia = await createAgent(app, 'Mia', [await createSector(app, 'Paging')]);
    const paging = (await mia.client.request('{ me { sectors { id } } }')).me.sectors[0].id;
    const created = [];
    for (let i = 0; i < 7; i++) created.push((await contactWrites(app, { phone: `559190000${1000 + i}`, body: `m${i}`, sectorId: paging })).id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await mia.client.request(TAB, { status: 'WAITING', first: 3, after })).tickets;
      expect(page.totalCount).toBe(7);
      seen.push(...ids(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...created].reverse());
    expect((await mia.client.request(COUNTS)).ticketCounts).toEqual({ waiting: 7, open: 0, closed: 0 });
    await mia.client.request(ACCEPT, { id: created[0] });
    expect((await mia.client.request(COUNTS)).ticketCounts).toEqual({ waiting: 6, open: 1, closed: 0 });
    const bySector = (await app.admin.request(TAB, { status: 'WAITING', sectorId: paging })).tickets;
    expect(bySector.totalCount).toBe(6);
  });

  it('searches contact name, phone and message text within what I can see', async () => {
    const t = await contactWrites(app, { phone: '5511955554444', name: 'Joaquim Barbosa', body: 'my order 8812 is late', sectorId: sales });
    await contactWrites(app, { phone: '5511955553333', name: 'Joaquina', body: 'order 8812 too', sectorId: support });
    for (const search of ['Joaquim', 'barbosa', '55544', 'order 8812', 'Jo']) {
      const found = (await ana.client.request(TAB, { status: 'WAITING', search })).tickets;
      expect(ids(found), search).toContain(t.id);
      expect(found.totalCount, search).toBe(found.edges.length);
    }
    const supportOnly = (await ana.client.request(TAB, { status: 'WAITING', search: 'Joaquina' })).tickets;
    expect(supportOnly.totalCount).toBe(0);
  });

  it('lists a contact\'s tickets under the same rule', async () => {
    const t1 = await contactWrites(app, { phone: '5511944443333', body: 'sales question', sectorId: sales });
    await carla.client.request(CLOSE, { id: t1.id });
    const t2 = await contactWrites(app, { phone: '5511944443333', body: 'support question', sectorId: support });
    const query = 'query($id: ID!) { ticket(id: $id) { contact { tickets { totalCount edges { node { id } } } } } }';
    const forAdmin = (await app.admin.request(query, { id: t2.id })).ticket.contact.tickets;
    expect(forAdmin.totalCount).toBe(2);
    const forAna = (await ana.client.request(query, { id: t1.id })).ticket.contact.tickets;
    expect(ids(forAna)).toEqual([t1.id]);
    expect(forAna.totalCount).toBe(1);
  });
});

describe('channels, contacts and tags', () => {
  it('moves a conversation to another channel, and refuses when the contact is live there already', async () => {
    const { createChannel } = await app.admin.request('mutation { createChannel(input: { name: "Instagram", kind: INSTAGRAM }) { id } }');
    const ticket = await contactWrites(app, { phone: '5511933332222', body: 'on whatsapp', sectorId: sales });
    await ana.client.request(ACCEPT, { id: ticket.id });
    const { transferTicket } = await ana.client.request(TRANSFER, { id: ticket.id, channelId: createChannel.id });
    expect(transferTicket).toMatchObject({ status: 'OPEN', channel: { name: 'Instagram' }, assignee: { name: 'Ana' } });
    const next = await contactWrites(app, { phone: '5511933332222', body: 'back on the default channel', sectorId: sales });
    expect(next.id).not.toBe(ticket.id);
    const before = await app.snapshot();
    await app.admin.expectCode(TRANSFER, { id: next.id, channelId: createChannel.id }, 'CONFLICT');
    expect(await app.snapshot()).toBe(before);
  });

  it('edits a contact: details, notes and tags', async () => {
    const ticket = await contactWrites(app, { phone: '5511922221111', body: 'hello', sectorId: sales });
    const { ticket: read } = await ana.client.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: ticket.id });
    const { updateContact } = await ana.client.request(
      'mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { name email city notes tags } }',
      { id: read.contact.id, input: { name: 'Rita', email: 'Rita@Example.com', city: 'Recife', notes: 'Prefers mornings', tags: ['Lead', 'lead', 'b2b'] } },
    );
    expect(updateContact).toEqual({ name: 'Rita', email: 'rita@example.com', city: 'Recife', notes: 'Prefers mornings', tags: ['b2b', 'lead'] });
    const before = await app.snapshot();
    await ana.client.expectCode('mutation($id: ID!) { updateContact(id: $id, input: { email: "nope" }) { id } }', { id: read.contact.id }, 'BAD_USER_INPUT', 'input.email');
    await ana.client.expectCode('mutation($id: ID!) { updateContact(id: $id, input: { tags: ["x"] }) { id } }', { id: Buffer.from('Contact:99999').toString('base64') }, 'NOT_FOUND');
    expect(await app.snapshot()).toBe(before);
  });

  it('records every change in the outbox, in the transaction that made it', async () => {
    const count = () =>
      withTestDatabase(app.config.databaseUrl, (db) => db.rows("SELECT type, count(*) AS n FROM outbox WHERE type LIKE 'ticket.%' OR type = 'message.created' GROUP BY type"), { readonly: true });
    const before = new Map(((await count()) as { type: string; n: number }[]).map((row) => [row.type, row.n]));
    const ticket = await contactWrites(app, { phone: '5511911110000', body: 'outbox', sectorId: sales });
    await ana.client.request(ACCEPT, { id: ticket.id });
    await ana.client.request(SEND, { id: ticket.id, body: 'hi' });
    await ana.client.request(CLOSE, { id: ticket.id });
    const after = new Map(((await count()) as { type: string; n: number }[]).map((row) => [row.type, row.n]));
    const delta = (type: string) => (after.get(type) ?? 0) - (before.get(type) ?? 0);
    expect([delta('ticket.created'), delta('ticket.statusChanged'), delta('message.created')]).toEqual([1, 2, 2]);
  });
});
