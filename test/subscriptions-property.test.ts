import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startTestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';
import { subscribe, wsClient } from './helpers/ws.js';

// Random lifecycles among sectors A1 and A2, and a few tickets in B: an agent of B alone must never
// hear of a ticket of A, while an ADMIN hears of every ticket that changed. Pia (no sector, canViewUnsectored)
// hears of the tickets written without a sector, and last of each a REMOVED once it no longer waits unsectored.

const EVENTS = 'subscription { ticketEvents { kind ticketId } }';

const operation = fc.record({
  kind: fc.constantFrom('write', 'writeB', 'writeNone', 'accept', 'toOtherA', 'toAgent', 'close', 'reopen', 'message', 'tag'),
  ticket: fc.nat(9),
  actor: fc.nat(1),
});

describe('live visibility under random operations', () => {
  it('never tells a B-only agent about an A ticket', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 4, maxLength: 18 }), async (operations) => {
        const app = await startTestApp({ passwords: { memoryCost: 1024, timeCost: 1 } });
        const sockets = [];
        try {
          const [a1, a2, b] = [await createSector(app, 'A1'), await createSector(app, 'A2'), await createSector(app, 'B')];
          const agents = [await createAgent(app, 'Alice', [a1]), await createAgent(app, 'Abel', [a1, a2])];
          const bob = await createAgent(app, 'Bob', [b]);
          const pia = await createAgent(app, 'Pia', [], { canViewUnsectored: true });
          sockets.push(wsClient(app.url, { token: bob.token }), wsClient(app.url, { token: app.adminToken }), wsClient(app.url, { token: pia.token }));
          const bobEvents = subscribe<{ ticketEvents: { kind: string; ticketId: string } }>(sockets[0]!, EVENTS);
          const adminEvents = subscribe<{ ticketEvents: { kind: string; ticketId: string } }>(sockets[1]!, EVENTS);
          const piaEvents = subscribe<{ ticketEvents: { kind: string; ticketId: string } }>(sockets[2]!, 'subscription { ticketEvents(status: WAITING) { kind ticketId } }');
          await new Promise((resolve) => setTimeout(resolve, 250));

          const tickets: { id: string; phone: string }[] = [];
          const bTickets = new Set<string>();
          const potentials = new Set<string>();
          const touched = new Set<string>();
          for (const [index, op] of operations.entries()) {
            const target = tickets.length ? tickets[op.ticket % tickets.length]! : undefined;
            const actor = agents[op.actor]!.client;
            if (op.kind === 'write' || op.kind === 'writeB' || op.kind === 'writeNone' || !target) {
              const phone = `5511950${String(index).padStart(6, '0')}`;
              const sectorId = op.kind === 'writeNone' ? undefined : op.kind === 'writeB' ? b : index % 2 ? a1 : a2;
              const ticket = await contactWrites(app, { phone, body: 'hi', ...(sectorId ? { sectorId } : {}) });
              tickets.push({ id: ticket.id, phone });
              if (op.kind === 'writeB') bTickets.add(ticket.id);
              if (op.kind === 'writeNone') potentials.add(ticket.id);
              touched.add(ticket.id);
              continue;
            }
            if (bTickets.has(target.id)) continue;
            const mutations: Record<string, [string, Record<string, unknown>]> = {
              accept: ['mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: target.id }],
              toOtherA: ['mutation($id: ID!, $s: ID) { transferTicket(id: $id, sectorId: $s) { id } }', { id: target.id, s: op.actor ? a2 : a1 }],
              toAgent: ['mutation($id: ID!, $u: ID) { transferTicket(id: $id, userId: $u) { id } }', { id: target.id, u: agents[1 - op.actor]!.id }],
              close: ['mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: target.id }],
              reopen: ['mutation($id: ID!) { reopenTicket(id: $id) { id } }', { id: target.id }],
              tag: ['mutation($id: ID!) { setTicketTags(id: $id, tags: ["x"]) { id } }', { id: target.id }],
            };
            if (op.kind === 'message') {
              // On a closed ticket this opens a new one without a sector: a potential too.
              const written = await contactWrites(app, { phone: target.phone, body: 'more' });
              if (written.sector === null && !tickets.some((ticket) => ticket.id === written.id)) potentials.add(written.id);
              continue;
            }
            const [query, variables] = mutations[op.kind]!;
            if ((await actor.errors(query, variables)).length === 0 || (await app.admin.errors(query, variables)).length === 0) touched.add(target.id);
          }
          await new Promise((resolve) => setTimeout(resolve, 150));
          const heardByBob = (await bobEvents.nothingFor(0)).map((event) => event.ticketEvents.ticketId);
          for (const ticketId of heardByBob) expect(bTickets.has(ticketId), `Bob heard of ${ticketId}`).toBe(true);
          for (const ticketId of bTickets) expect(heardByBob).toContain(ticketId);
          const heardByAdmin = new Set((await adminEvents.nothingFor(0)).map((event) => event.ticketEvents.ticketId));
          for (const ticketId of touched) expect(heardByAdmin.has(ticketId), `admin missed ${ticketId}`).toBe(true);
          const heardByPia = (await piaEvents.nothingFor(0)).map((event) => event.ticketEvents);
          for (const ticketId of potentials) {
            const mine = heardByPia.filter((event) => event.ticketId === ticketId);
            for (const event of mine) expect(potentials.has(event.ticketId), `Pia heard of ${event.ticketId}`).toBe(true);
            expect(mine[0]?.kind, `Pia missed ${ticketId}`).toBe('ADDED');
            const { ticket } = await app.admin.request('query($id: ID!) { ticket(id: $id) { status sector { id } } }', { id: ticketId });
            expect(mine.at(-1)!.kind === 'REMOVED', `Pia's last event of ${ticketId}`).toBe(ticket.status !== 'WAITING' || ticket.sector !== null);
          }
          for (const event of heardByPia) expect(potentials.has(event.ticketId), `Pia heard of ${event.ticketId}`).toBe(true);
        } finally {
          await Promise.all(sockets.map((socket) => socket.dispose()));
          await app.stop();
        }
      }),
      { numRuns: 15 },
    );
  });
});
