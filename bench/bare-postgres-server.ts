import { createServer } from 'node:http';
import { pino } from 'pino';
import { loadConfig } from '../bin/config.js';
import type { TicketStatus } from '../db/types.js';
import { authenticate } from '../resolvers/auth/authenticate.js';
import { createIntegration } from '../resolvers/integrations.js';
import { ingestMessage } from '../resolvers/tickets/ingest.js';
import { acceptTicket, closeTicket } from '../resolvers/tickets/lifecycle.js';
import { listTickets, ticketCounts, ticketView } from '../resolvers/tickets/queries.js';
import type { Viewer } from '../resolvers/viewer.js';
import { createServices } from '../server.js';

// The floor under GraphQL on PostgreSQL: per request what Deskgraph's resolvers call (authenticate the
// bearer token, then listTickets, ticketView, ticketCounts, acceptTicket, closeTicket or ingestMessage),
// the same domain functions and Store, behind a bare node:http handler: no GraphQL, no yoga, no envelop
// plugins, no outbox relay. Run by bench/pg-bare.ts as its own process, with DATABASE_URL and JWT_SECRET
// in its environment. Prints `listening on <port>`. Routes: /page/<STATUS>, /counts, /ticket/<id>,
// /typename (the token only), POST /accept/<id>, /close/<id>, /ingest?phone=&sector=&body=, /integration
// (an ADMIN's token: a bot's token for /ingest).

const log = pino({ level: 'warn' });
const services = await createServices(loadConfig({ ...process.env, PORT: '0' }, log), log);

async function answerOf(method: string, url: URL, authorization: string): Promise<unknown> {
  const { caller } = await authenticate(services, authorization.replace(/^Bearer /, ''));
  if (caller.kind === 'platform') throw new Error('not for the platform');
  const viewer: Viewer = caller;
  const [, route, arg] = url.pathname.split('/');
  if (method === 'GET' && route === 'page') {
    const list = await listTickets(services, viewer, { status: arg as TicketStatus, first: 50 }, { withTotal: true });
    const related = list.related!;
    return {
      totalCount: await list.totalCount(),
      tickets: list.edges.map(({ node: ticket }) => ({
        id: ticket.id,
        protocol: ticket.protocol,
        status: ticket.status,
        contact: { name: related.contact(ticket.contactId)?.name, phone: related.contact(ticket.contactId)?.phone },
        sector: ticket.sectorId === null ? null : { name: related.sector(ticket.sectorId)?.name },
        lastMessage: ticket.lastMessageId === null ? null : { body: related.message(ticket.lastMessageId)?.body },
      })),
    };
  }
  if (method === 'GET' && route === 'counts') return ticketCounts(services, viewer);
  if (method === 'GET' && route === 'ticket') return ticketView(services, viewer, Number(arg), 50);
  if (method === 'GET' && route === 'typename') return { __typename: 'Query' };
  if (method === 'POST' && route === 'accept') return acceptTicket(services, viewer, Number(arg));
  if (method === 'POST' && route === 'close') return closeTicket(services, viewer, Number(arg));
  if (method === 'POST' && route === 'ingest') {
    const query = url.searchParams;
    return ingestMessage(services, viewer, { contact: { phone: query.get('phone')! }, body: query.get('body'), sectorId: Number(query.get('sector')) });
  }
  if (method === 'POST' && route === 'integration') return createIntegration(services, viewer, { name: 'bench mix' });
  throw new Error(`no route ${method} ${url.pathname}`);
}

const server = createServer((req, res) => {
  answerOf(req.method ?? 'GET', new URL(req.url ?? '/', 'http://localhost'), req.headers.authorization ?? '').then(
    (answer) => {
      const text = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    },
    (error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : ''}`);
});
// An orderly exit on SIGINT (bench/http-kit.ts's stop), so a BENCH_CPU_PROFILE profile is written.
process.once('SIGINT', () => process.exit(0));
