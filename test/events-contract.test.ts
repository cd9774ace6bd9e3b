import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsDoc } from '../bin/print-events.js';
import type { DeskgraphPlugin } from '../plugins/runtime/contract.js';
import { envelopeSchemaOf, publicEventTypes, type PublicEvent } from '../resolvers/events/event-contract.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';

const heard: PublicEvent[] = [];
const listener: DeskgraphPlugin = { name: 'listener', setup: (api) => api.on('*', (event) => void heard.push(event)) };

describe('the public event contract', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ plugins: [listener] });
  });
  afterAll(() => app.stop());

  it('is documented in docs/events.md as generated from the code (run `npm run docs:events` after a change)', () => {
    expect(readFileSync(new URL('../docs/events.md', import.meta.url), 'utf8')).toBe(eventsDoc());
  });

  it('emits every documented type through the real mutations, each valid against its schema', async () => {
    const sales = await createSector(app, 'Sales');
    const support = await createSector(app, 'Support');
    const ana = await createAgent(app, 'Ana', [sales, support]);
    const ticket = await contactWrites(app, { phone: '5511977778888', body: 'hi', sectorId: sales, name: 'Rita' });
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    await ana.client.request('mutation($id: ID!) { setTicketTags(id: $id, tags: ["vip"]) { id } }', { id: ticket.id });
    await ana.client.request('mutation($id: ID!, $s: ID!) { transferTicket(id: $id, sectorId: $s) { id } }', { id: ticket.id, s: support });
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id });
    await ana.client.request('mutation($id: ID!) { reopenTicket(id: $id) { id } }', { id: ticket.id });
    const { ticket: read } = await app.admin.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: ticket.id });
    await app.admin.request('mutation($id: ID!) { updateContact(id: $id, input: { email: "rita@example.com" }) { id } }', { id: read.contact.id });
    await ana.client.request('mutation { setMyStatus(status: PAUSED) { id } }');
    await ana.client.request('mutation { setAbsence(input: { enabled: true, message: "Back on Monday" }) { enabled } }');
    const erased = await contactWrites(app, { phone: '5511977770000', body: 'forget me', sectorId: sales, name: 'Erin' });
    await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: erased.id });
    const { ticket: erasedTicket } = await app.admin.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: erased.id });
    await app.admin.request('mutation($id: ID!) { eraseContact(id: $id) { id } }', { id: erasedTicket.contact.id });
    await app.running.relay.settled();

    expect(new Set(heard.map((event) => event.type))).toEqual(new Set(publicEventTypes));
    for (const event of heard) {
      const checked = envelopeSchemaOf(event.type).safeParse(event);
      expect(checked.success, `${event.type}: ${JSON.stringify(checked.error?.issues)}`).toBe(true);
    }
    const ids = heard.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const of = (type: string) => heard.filter((event) => event.type === type && (event.data as { ticket?: { id: string } }).ticket?.id === ticket.id);
    expect(of('ticket.transferred')[0]!.data).toMatchObject({ from: { sectorId: sales }, to: { sectorId: support } });
    expect(of('ticket.closed')[0]!.data).toMatchObject({ closedBy: 'ADMIN', ticket: { status: 'CLOSED' } });
    expect(heard.find((event) => event.type === 'absence.changed')!.data).toMatchObject({ userId: ana.id, enabled: true, message: 'Back on Monday' });
    expect(heard.find((event) => event.type === 'contact.updated')!.data).toMatchObject({ contact: { email: 'rita@example.com' }, changed: ['email'] });
    expect(heard.find((event) => event.type === 'contact.erased')!.data).toEqual({ contact: { id: erasedTicket.contact.id }, ticketIds: [erased.id], actor: { kind: 'USER', id: expect.any(String) } });
  });
});

describe('a ticket.closed the relay reaches after the ticket was reopened', () => {
  let app: TestApp;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const slowHeard: PublicEvent[] = [];
  // Holds its relay on the first acceptance, so the close and the reopen both commit before it reads on.
  const slow: DeskgraphPlugin = {
    name: 'slow-listener',
    setup: (api) =>
      api.on('*', async (event) => {
        slowHeard.push(event);
        if (event.type === 'ticket.accepted') await held;
      }),
  };
  beforeAll(async () => {
    app = await startTestApp({ plugins: [slow] });
  });
  afterAll(() => app.stop());

  it('still names who closed it, as it was when closed', async () => {
    const sales = await createSector(app, 'Sales');
    const ana = await createAgent(app, 'Ana', [sales]);
    const ticket = await contactWrites(app, { phone: '5511977776666', body: 'hi', sectorId: sales, name: 'Rui' });
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    for (const ends = Date.now() + 10_000; !slowHeard.some((event) => event.type === 'ticket.accepted'); ) {
      if (Date.now() > ends) throw new Error('the relay never reached the acceptance');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id });
    await ana.client.request('mutation($id: ID!) { reopenTicket(id: $id) { id } }', { id: ticket.id });
    expect(slowHeard.some((event) => event.type === 'ticket.closed')).toBe(false);
    release();
    await app.running.relay.settled();
    const closed = slowHeard.find((event) => event.type === 'ticket.closed');
    expect(closed?.data).toMatchObject({ closedBy: 'ADMIN', ticket: { status: 'CLOSED' } });
    expect(slowHeard.find((event) => event.type === 'ticket.reopened')?.data).toMatchObject({ ticket: { status: 'OPEN' } });
  });
});
