import { createServer } from 'node:http';
import type { TicketStatus } from '../db/types.js';
import { openStore } from '../db/store.js';
import { ticketScopeOf } from '../resolvers/visibility.js';

// The store's floor on PostgreSQL: per request the reads Deskgraph makes (the viewer, then the tab page
// or the ticket's view) through the Store itself, behind a bare node:http handler: no GraphQL, no yoga,
// no token check. Run by bench/pg-bare.ts as its own process.
// Usage: bare-postgres-server.ts <postgres url> <userId>; prints `listening on <port>`. Routes: /page/<STATUS>,
// /ticket/<id>, /typename.

const [url, userIdText] = process.argv.slice(2);
const store = await openStore({ url: url!, reportError: (error) => console.error(error) });
const userId = Number(userIdText);

async function scopeOfViewer() {
  const user = await store.users.withSectors(userId);
  if (!user) throw new Error(`no user ${userId}`);
  return ticketScopeOf({ kind: 'user', userId: user.id, accountId: user.accountId, role: user.role, sectorIds: user.sectorIds, canViewUnsectored: user.canViewUnsectored, expiresAt: 0 });
}

async function answerOf(route: string | undefined, arg: string | undefined): Promise<unknown> {
  const scope = await scopeOfViewer();
  if (route === 'page') {
    const status = arg as TicketStatus;
    const page = await store.tickets.page(scope, { status, assignedOnly: status === 'OPEN' }, 50, undefined, 'forward', { withTotal: true });
    const related = page.related!;
    return {
      totalCount: page.total,
      tickets: page.tickets.map((ticket) => ({
        id: ticket.id,
        protocol: ticket.protocol,
        status: ticket.status,
        contact: { name: related.contact(ticket.contactId)?.name, phone: related.contact(ticket.contactId)?.phone },
        sector: ticket.sectorId === null ? null : { name: related.sector(ticket.sectorId)?.name },
        lastMessage: ticket.lastMessageId === null ? null : { body: related.message(ticket.lastMessageId)?.body },
      })),
    };
  }
  if (route === 'ticket') return store.tickets.viewInScope(scope, Number(arg), 50);
  return { __typename: 'Query' };
}

const server = createServer((req, res) => {
  const [, route, arg] = (req.url ?? '/').split('/');
  answerOf(route, arg).then(
    (answer) => {
      const text = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    },
    (error) => {
      res.writeHead(500);
      res.end(String(error));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : ''}`);
});
