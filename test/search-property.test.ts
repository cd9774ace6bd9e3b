import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createSector, INGEST } from './helpers/fixtures.js';
import { expectUnchanged } from './helpers/unchanged.js';

// Every free-text argument, fed hostile Unicode through the real endpoint, answers what a plain
// model of the search rules (below, in TypeScript) says, and never an internal error.

interface ContactRow { id: string; name: string | null; phone: string | null; email: string | null; city: string | null; document: string | null }
interface TicketRow { id: string; status: string; contact: ContactRow; bodies: string[] }
interface ReplyRow { category: string; title: string; body: string }

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
const characters = (text: string) => [...text].length;

/** 3+ characters: the case-folded term occurs in the text (a term with a NUL: ASCII letters without case). */
function holds(text: string | null, term: string): boolean {
  if (text === null) return false;
  return term.includes('\u0000') ? asciiLower(text).includes(asciiLower(term)) : text.toLowerCase().includes(term.toLowerCase());
}
const startsWith = (text: string | null, term: string) => text !== null && asciiLower(text).startsWith(asciiLower(term));
const containsAscii = (text: string | null, term: string) => text !== null && asciiLower(text).includes(asciiLower(term));

function contactMatches(contact: ContactRow, term: string): boolean {
  return characters(term) >= 3 ? holds(contact.name, term) || holds(contact.phone, term) : startsWith(contact.name, term) || startsWith(contact.phone, term);
}

function ticketMatches(ticket: TicketRow, raw: string): boolean {
  const term = raw.trim();
  if (term === '') return true;
  return contactMatches(ticket.contact, term) || (characters(term) >= 3 && ticket.bodies.some((body) => holds(body, term)));
}

const contactFilters = {
  search: (contact: ContactRow, raw: string) => raw.trim() === '' || contactMatches(contact, raw.trim()),
  name: (contact: ContactRow, raw: string) => raw.trim() === '' || containsAscii(contact.name, raw.trim()),
  city: (contact: ContactRow, raw: string) => raw.trim() === '' || containsAscii(contact.city, raw.trim()),
  email: (contact: ContactRow, raw: string) => raw === '' || contact.email === raw.trim().toLowerCase(),
  document: (contact: ContactRow, raw: string) => raw === '' || contact.document === raw.trim(),
};
/** Digits only; a phone filter without any is refused (BAD_USER_INPUT), so it has its own request. */
const phoneMatches = (contact: ContactRow, raw: string) => (contact.phone ?? '').startsWith(raw.replace(/[^0-9]/g, ''));

// No stored text holds NUL (mutations refuse it: test below), so a term with NUL matches nothing.
const names = ['Maria Silva', 'Éva Åsa Çelik', 'João "Johnny" Souza', 'Ana NEAR Bob*', '100% _under_ score\\', 'Zoë 😀 Emoji', 'Nul Byte Name', 'AND OR NOT'];
const bodies = [
  'Hello, my order #123 is late',
  'NEAR(a b) AND "quoted" ^start *star',
  'nul inside body',
  'Ünïcödé ÀÉÎ text',
  '50% off_now \\ backslash',
  'emoji 😀😀 party',
  'tab\there and\nnewline',
  "it's ''quoted'' -minus +plus name:colon",
];

let app: TestApp;
let tickets: TicketRow[];
let contacts: ContactRow[];
let replies: ReplyRow[];
const store: string[] = [];

const TICKET_FIELDS = '{ totalCount edges { node { id } } }';
const SEARCHES = `query($t: String!) {
  waiting: tickets(status: WAITING, all: true, search: $t, first: 100) ${TICKET_FIELDS}
  open: tickets(status: OPEN, all: true, search: $t, first: 100) ${TICKET_FIELDS}
  closed: tickets(status: CLOSED, search: $t, first: 100) ${TICKET_FIELDS}
  history: closedTickets(search: $t, first: 100) ${TICKET_FIELDS}
  search: contacts(search: $t, first: 100) { totalCount edges { node { id } } }
  name: contacts(name: $t, first: 100) { totalCount edges { node { id } } }
  city: contacts(city: $t, first: 100) { totalCount edges { node { id } } }
  email: contacts(email: $t, first: 100) { totalCount edges { node { id } } }
  document: contacts(document: $t, first: 100) { totalCount edges { node { id } } }
  replies: readyReplyCategories(search: $t) { name replies { title } }
}`;

beforeAll(async () => {
  app = await startTestApp();
  const sector = await createSector(app, 'Sales');
  await app.admin.request('mutation { setMyStatus(status: ONLINE) { id } }');
  for (const [index, name] of names.entries()) {
    const ticket = await contactWrites(app, { phone: `55119${String(index).padStart(6, '0')}`, name, body: bodies[index]!, sectorId: sector });
    if (index % 3 === 0) await app.admin.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    if (index % 3 === 1) {
      await app.admin.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
      await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id });
    }
  }
  const listed = await app.admin.request('{ contacts(first: 100) { edges { node { id } } } }');
  for (const [index, { node }] of (listed.contacts.edges as { node: { id: string } }[]).entries()) {
    const input = index % 2 === 0 ? { email: `c${index}@Example.com`, city: ['São Paulo', 'NEAR "city"', 'Zürich%_'][index % 3], document: `DOC-${index}"*` } : { city: 'Rio' };
    await app.admin.request('mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }', { id: node.id, input });
  }
  const category = (await app.admin.request('mutation { createReadyReplyCategory(name: "Replies") { id } }')).createReadyReplyCategory.id;
  const other = (await app.admin.request('mutation { createReadyReplyCategory(name: "Other") { id } }')).createReadyReplyCategory.id;
  for (const [index, [title, body]] of [['Hello 😀', 'Hi "there" NEAR you'], ['100% off_', 'back\\slash AND *'], ['Ünï', 'nul body'], ['plain', 'Éva']].entries()) {
    await app.admin.request('mutation($c: ID!, $t: String!, $b: String!) { createReadyReply(categoryId: $c, title: $t, body: $b) { id } }', { c: index % 2 ? other : category, t: title, b: body });
  }

  const CONTACT = '{ id name phone email city document }';
  const rows: TicketRow[] = [];
  for (const status of ['WAITING', 'OPEN', 'CLOSED']) {
    const page = await app.admin.request(`query($s: TicketStatus!) { tickets(status: $s, all: true, first: 20) { edges { node { id status contact ${CONTACT} messages(first: 20) { edges { node { body } } } } } } }`, { s: status });
    for (const { node } of page.tickets.edges) rows.push({ id: node.id, status: node.status, contact: node.contact, bodies: node.messages.edges.map((e: { node: { body: string | null } }) => e.node.body ?? '') });
  }
  tickets = rows;
  contacts = (await app.admin.request(`{ contacts(first: 100) { edges { node ${CONTACT} } } }`)).contacts.edges.map((e: { node: ContactRow }) => e.node);
  replies = (await app.admin.request('{ readyReplyCategories { name replies { title body } } }')).readyReplyCategories.flatMap((c: { name: string; replies: { title: string; body: string }[] }) =>
    c.replies.map((r) => ({ category: c.name, ...r })),
  );
  expect(tickets.map((t) => t.status).sort()).toEqual(['CLOSED', 'CLOSED', 'CLOSED', 'OPEN', 'OPEN', 'OPEN', 'WAITING', 'WAITING']);
  store.push(...names, ...bodies, ...contacts.flatMap((c) => [c.phone ?? '', c.city ?? '', c.email ?? '', c.document ?? '']), ...replies.flatMap((r) => [r.title, r.body]));
}, 60_000);
afterAll(() => app.stop());

const idsOf = (connection: { edges: { node: { id: string } }[] }) => connection.edges.map((e) => e.node.id).sort();

async function expectModelAnswers(term: string): Promise<void> {
  const data = await app.admin.request(SEARCHES, { t: term });
  const expectTickets = (connection: { totalCount: number; edges: { node: { id: string } }[] }, status: string) => {
    const expected = tickets.filter((t) => t.status === status && ticketMatches(t, term)).map((t) => t.id).sort();
    expect(idsOf(connection), `${status} tickets for ${JSON.stringify(term)}`).toEqual(expected);
    expect(connection.totalCount).toBe(expected.length);
  };
  expectTickets(data.waiting, 'WAITING');
  expectTickets(data.open, 'OPEN');
  expectTickets(data.closed, 'CLOSED');
  expectTickets(data.history, 'CLOSED');
  for (const [filter, matches] of Object.entries(contactFilters)) {
    const expected = contacts.filter((c) => matches(c, term)).map((c) => c.id).sort();
    expect(idsOf(data[filter]), `contacts(${filter}: ${JSON.stringify(term)})`).toEqual(expected);
    expect(data[filter].totalCount).toBe(expected.length);
  }
  const phone = await app.admin.errors('query($t: String!) { contacts(phone: $t) { totalCount } }', { t: term });
  if (term.replace(/[^0-9]/g, '') === '') expect(phone.map((e) => [e.extensions?.['code'], e.extensions?.['field']])).toEqual([['BAD_USER_INPUT', 'phone']]);
  else {
    expect(phone).toEqual([]);
    const { contacts: found } = await app.admin.request('query($t: String!) { contacts(phone: $t, first: 100) { edges { node { id } } } }', { t: term });
    expect(idsOf(found)).toEqual(contacts.filter((c) => phoneMatches(c, term)).map((c) => c.id).sort());
  }
  const trimmed = term.trim();
  const expectedReplies = replies.filter((r) => trimmed === '' || containsAscii(r.title, trimmed) || containsAscii(r.body, trimmed)).map((r) => r.title).sort();
  const gotReplies = (data.replies as { replies: { title: string }[] }[]).flatMap((c) => c.replies.map((r) => r.title)).sort();
  expect(gotReplies, `readyReplyCategories(search: ${JSON.stringify(term)})`).toEqual(expectedReplies);
}

const ID_ARGUMENTS = [
  'query($t: ID!) { contacts(id: $t) { totalCount } }',
  'query($t: ID!) { closedTickets(sectorId: $t) { totalCount } }',
  'query($t: ID!) { closedTickets(assigneeId: $t) { totalCount } }',
  'query($t: ID!) { closedTickets(channelId: $t) { totalCount } }',
  'query($t: ID!) { tickets(status: WAITING, sectorId: $t) { totalCount } }',
  'query($t: ID!) { ticket(id: $t) { id } }',
  'query($t: ID!) { node(id: $t) { id } }',
  'query($t: ID!) { absence(userId: $t) { enabled } }',
  'query($t: ID!) { afterHoursContacts(channelId: $t) { __typename } }',
  'query($t: ID!) { afterHoursContacts(userId: $t) { __typename } }',
  'query($t: ID!) { monitoring(channelId: $t) { at } }',
  'query($t: ID!) { monitoring(sectorId: $t) { at } }',
  'query($t: ID!) { renderReadyReply(id: $t, ticketId: $t) }',
  'query($t: ID!) { webhookDeliveries(webhookId: $t) { pageInfo { hasNextPage } } }',
];
const CURSORS = [
  'query($t: String!) { tickets(status: WAITING, after: $t) { totalCount } }',
  'query($t: String!) { closedTickets(after: $t) { totalCount } }',
  'query($t: String!) { contacts(after: $t) { totalCount } }',
  'query($t: String!) { webhookDeliveries(after: $t) { pageInfo { hasNextPage } } }',
];

/** Text the FTS5 query language or LIKE would read as syntax, control characters and lone surrogates. */
const hostile = fc.constantFrom('\u0000', '"', '""', "'", 'NEAR', 'NEAR(', 'NEAR/2', ' AND ', ' OR ', 'NOT ', '*', '^', '-', '+', ':', '(', ')', '{', '}', '%', '_', '\\', '\uD800', '\uDFFF', '\t', '\n', '\r', '\u00A0', '\u200B', '\uFEFF', '\u0001', '\u001F', '\u007F', '😀', 'ß', 'İ', 'K');
const sliceOfStored = fc.tuple(fc.nat(), fc.nat(8), fc.boolean()).map(([at, length, upper]) => {
  const text = store[at % store.length]!;
  const codePoints = [...text];
  const start = at % Math.max(1, codePoints.length);
  const slice = codePoints.slice(start, start + length).join('');
  return upper ? slice.toUpperCase() : slice;
});
const term = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(fc.oneof(hostile, sliceOfStored, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 5 }).map((parts) => parts.join('')),
  sliceOfStored,
);

describe('search and filter arguments under hostile text', () => {
  it('answer what the plain rules say, for every term (NUL, quotes, FTS operators, lone surrogates)', async () => {
    const examples: [string][] = [['\u0000'], ['\u0000undefined'], ['a\u0000b'], ['Nul\u0000Byte'], ['nul\u0000ins'], ['"'], ['NEAR(a b)'], ['*'], ['^start'], ['Ana NEAR'], ['100%'], ['_'], ['\\'], ['\uD800ab'], ['😀a'], ['ÉVA'], ['  silva  '], ['5511'], ['']];
    await fc.assert(fc.asyncProperty(term, expectModelAnswers), { numRuns: 150, examples });
  });

  it('answer a very long term like any other (nothing holds it)', async () => {
    await expectModelAnswers(`Maria ${'x'.repeat(20_000)}`);
    await expectModelAnswers('\u0000'.repeat(5_000));
  });

  it('refuse ids and cursors that are garbage with BAD_USER_INPUT, never an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(term, async (text) => {
        for (const query of ID_ARGUMENTS) {
          const errors = await app.admin.errors(query, { t: text });
          expect(errors.map((e) => e.extensions?.['code']), `${query} with ${JSON.stringify(text)}`).toEqual(errors.length > 0 ? ['BAD_USER_INPUT'] : []);
        }
        for (const query of CURSORS) {
          const errors = await app.admin.errors(query, { t: text });
          expect(errors.map((e) => e.extensions?.['code']).filter((code) => code !== 'BAD_USER_INPUT'), `${query} with ${JSON.stringify(text)}`).toEqual([]);
        }
      }),
      { numRuns: 40, examples: [['garbage!'], ['\u0000'], [''], ['\uD800']] },
    );
  });
});

describe('text holding NUL', () => {
  it('is refused by the mutations that would store it, naming the field, and nothing changes', async () => {
    await expectUnchanged(app, async () => {
      await app.admin.expectCode(INGEST, { input: { contact: { phone: '5511900000999', name: 'Nul\u0000Name' }, body: 'hello' } }, 'BAD_USER_INPUT', 'input.contact.name');
      await app.admin.expectCode(INGEST, { input: { contact: { phone: '5511900000999', name: 'Plain' }, body: 'a\u0000b' } }, 'BAD_USER_INPUT', 'input.body');
      await app.admin.expectCode('mutation { createSector(input: { name: "Nul\\u0000Sector" }) { id } }', undefined, 'BAD_USER_INPUT', 'input');
      await app.admin.expectCode('mutation($c: ID!, $b: String!) { createReadyReply(categoryId: $c, title: "t", body: $b) { id } }', { c: 'x', b: '\u0000' }, 'BAD_USER_INPUT', 'b');
    });
  });
});
