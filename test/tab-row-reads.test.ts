import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';

// A tab page reads only a tab row's fields of its tickets, contacts and last messages when its query asks
// no more (schema/tab-row-reads.ts). Whatever field a page asks, its answer is the one node(id) gives,
// which reads whole rows; and rows read in part never reach another field of the same operation.

interface IntrospectedType {
  kind: string;
  name: string | null;
  ofType: IntrospectedType | null;
}
interface IntrospectedField {
  name: string;
  args: { type: { kind: string } }[];
  type: IntrospectedType;
}

let app: TestApp;
let ana: Agent;
const fieldsByType = new Map<string, IntrospectedField[]>();

const namedType = (type: IntrospectedType): IntrospectedType => (type.ofType ? namedType(type.ofType) : type);
const askable = (field: IntrospectedField) => field.args.every((arg) => arg.type.kind !== 'NON_NULL');

async function fieldsOf(typeName: string): Promise<IntrospectedField[]> {
  let fields = fieldsByType.get(typeName);
  if (!fields) {
    const { __type } = await app.admin.request(
      'query($name: String!) { __type(name: $name) { fields { name args { type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }',
      { name: typeName },
    );
    fields = (__type.fields as IntrospectedField[]).filter(askable);
    fieldsByType.set(typeName, fields);
  }
  return fields;
}

/** The field with a subselection of every scalar of its type (and a connection's first nodes' ids). */
async function selectionOf(field: IntrospectedField): Promise<string> {
  const type = namedType(field.type);
  if (type.kind !== 'OBJECT') return field.name;
  const inner = await fieldsOf(type.name!);
  const scalars = inner.filter((each) => ['SCALAR', 'ENUM'].includes(namedType(each.type).kind)).map((each) => each.name);
  if (inner.some((each) => each.name === 'edges')) scalars.push('edges { cursor node { id } }');
  return `${field.name} { ${scalars.length > 0 ? scalars.join(' ') : '__typename'} }`;
}

/** Every tab page (and the closed history) asking `selection` of each ticket, as the admin sees them. */
async function pagesAsking(selection: string, client = app.admin) {
  const rows = `{ edges { node { id ${selection} } } }`;
  const data = await client.request(`{
    w: tickets(status: WAITING, first: 50) ${rows} o: tickets(status: OPEN, first: 50, all: true) ${rows}
    c: tickets(status: CLOSED, first: 50) ${rows} h: closedTickets(first: 50) ${rows} }`);
  type Row = { id: string } & Record<string, any>;
  return Object.values(data as Record<string, { edges: { node: Row }[] }>).flatMap((page) => page.edges.map((edge) => edge.node));
}

/** The same selection of each ticket through node(id), in one request. */
async function nodesAsking(ids: string[], selection: string, client = app.admin) {
  const aliases = ids.map((id, i) => `t${i}: node(id: "${id}") { ... on Ticket { id ${selection} } }`).join(' ');
  const data = await client.request(`{ ${aliases} }`);
  return ids.map((_, i) => data[`t${i}`]);
}

async function expectPagesAsNodes(selection: string) {
  const listed = await pagesAsking(selection);
  expect(listed.length).toBeGreaterThanOrEqual(5);
  expect(listed).toEqual(await nodesAsking(listed.map((ticket) => ticket.id), selection));
  return listed;
}

beforeAll(async () => {
  app = await startTestApp();
  const sales = await createSector(app, 'Sales');
  ana = await createAgent(app, 'Ana', [sales]);
  const write = (phone: string, name: string, body: string) => contactWrites(app, { phone, name, body, sectorId: sales });
  await write('+55 11 95555-0001', 'Maria', 'still waiting');
  const open = await write('+55 11 95555-0002', 'João', 'please help');
  const closed = await write('+55 11 95555-0003', 'Pedro', 'a question');
  await write('+55 11 95555-0004', 'Lia', 'another one');
  await app.admin.request('mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id } }', {
    input: { contact: { phone: '+55 11 95555-0004' }, kind: 'IMAGE', externalId: 'wa-1', attachments: [{ url: 'https://files.example/a.png', mime: 'image/png', name: 'a.png' }] },
  });
  for (const ticket of [open, closed]) {
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    await ana.client.request('mutation($id: ID!) { sendMessage(ticketId: $id, body: "on it") { id } }', { id: ticket.id });
    await ana.client.request('mutation($id: ID!) { setTicketTags(id: $id, tags: ["vip", "billing"]) { id } }', { id: ticket.id });
  }
  await ana.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: closed.id });
  const { tickets } = await app.admin.request('{ tickets(status: WAITING, first: 50) { edges { node { contact { id } } } } }');
  for (const { node } of tickets.edges) {
    await app.admin.request('mutation($id: ID!) { updateContact(id: $id, input: { email: "someone@example.com", city: "Recife", document: "123", notes: "prefers mornings", tags: ["gold", "b2b"] }) { id } }', {
      id: node.contact.id,
    });
  }
});
afterAll(() => app.stop());

describe('tab pages read as far as their query asks', () => {
  it('answer every Ticket field as node(id) does', async () => {
    const fields = await fieldsOf('Ticket');
    expect(fields.map((field) => field.name)).toEqual(expect.arrayContaining(['protocol', 'contact', 'lastMessage', 'closedAt', 'messages']));
    for (const field of fields) await expectPagesAsNodes(await selectionOf(field));
  });

  it("answer every field of a ticket's contact and last message as node(id) does", async () => {
    for (const [relation, typeName] of [['contact', 'Contact'], ['lastMessage', 'Message']] as const) {
      for (const field of await fieldsOf(typeName)) await expectPagesAsNodes(`${relation} { id ${await selectionOf(field)} }`);
    }
  });

  it('fill what was written: closings, tags, contact details, attachments', async () => {
    const listed = await expectPagesAsNodes('status closedBy closedAt tags contact { name email city tags } lastMessage { kind externalId attachments { url mime name } }');
    const byStatus = (status: string) => listed.filter((ticket) => ticket.status === status);
    expect(byStatus('CLOSED')[0]).toMatchObject({ closedBy: 'AGENT', tags: ['billing', 'vip'], contact: { name: 'Pedro', tags: [] } });
    expect(byStatus('WAITING').map((ticket) => ticket.contact.email)).toContain('someone@example.com');
    expect(byStatus('WAITING').map((ticket) => ticket.contact.tags)).toContainEqual(['b2b', 'gold']);
    expect(listed).toContainEqual(expect.objectContaining({ lastMessage: { kind: 'IMAGE', externalId: 'wa-1', attachments: [{ url: 'https://files.example/a.png', mime: 'image/png', name: 'a.png' }] } }));
  });

  // What a console's row shows beyond the tab row (on PostgreSQL read in the page's statement: test/statements.test.ts).
  it("answer a console's row as node(id) does: assignee, channel, the ticket's and its contact's tags", async () => {
    const listed = await expectPagesAsNodes('protocol status contact { name phone tags } sector { name color } assignee { name email } channel { name kind } lastMessage { body author } tags');
    // Ana's two tickets (the closed one listed twice: its tab and the closed history).
    const anas = listed.filter((ticket) => ticket.assignee?.name === 'Ana');
    expect(anas).toHaveLength(3);
    expect(anas.every((ticket) => ticket.tags.join() === 'billing,vip')).toBe(true);
    expect(listed.every((ticket) => typeof ticket.channel.name === 'string')).toBe(true);
    expect(listed.filter((ticket) => ticket.status === 'WAITING').every((ticket) => ticket.assignee === null)).toBe(true);
  });

  it("hands a page's contacts and messages only to that page's own fields, never to another field of the operation", async () => {
    const data = await app.admin.request(`{
      narrow: tickets(status: WAITING, first: 50) { edges { node { id contact { name } lastMessage { body } } } }
      wide: tickets(status: WAITING, first: 50) { edges { node { id contact { name email notes createdAt } lastMessage { body externalId createdAt } } } } }`);
    const wide = data.wide.edges.map((edge: { node: unknown }) => edge.node);
    expect(wide).toEqual(await nodesAsking(wide.map((ticket: { id: string }) => ticket.id), 'contact { name email notes createdAt } lastMessage { body externalId createdAt }'));
    expect(wide.some((ticket: { contact: { email: string | null } }) => ticket.contact.email === 'someone@example.com')).toBe(true);
    expect(data.narrow.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(wide.map((ticket: { id: string }) => ticket.id));
  });

  it('show an agent the same tickets and fields as node(id), through fragments and aliases', async () => {
    const selection = '...Row c2: contact @include(if: true) { phone email }';
    const query = `{ tickets(status: OPEN, first: 50) { edges { node { id ${selection} } } } } fragment Row on Ticket { protocol contact { name } lastMessage { body } }`;
    const { tickets } = await ana.client.request(query);
    const mine = tickets.edges.map((edge: { node: { id: string } }) => edge.node);
    expect(mine).toHaveLength(1);
    const aliases = mine.map((ticket: { id: string }, i: number) => `t${i}: node(id: "${ticket.id}") { ... on Ticket { id ${selection} } }`).join(' ');
    const nodes = await ana.client.request(`{ ${aliases} } fragment Row on Ticket { protocol contact { name } lastMessage { body } }`);
    expect(mine).toEqual(mine.map((_: unknown, i: number) => nodes[`t${i}`]));
    expect(mine[0].c2.email).toBeNull();
    expect(mine[0].contact.name).toBe('João');
  });
});
