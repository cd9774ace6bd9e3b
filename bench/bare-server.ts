import { createServer } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import { bareWrites, type WriteResult } from './bare-writes.js';

// The physical limit beside each workload: the same SQL as the store, prepared once, behind a bare
// node:http handler, with no GraphQL and no token check. Run by bench/http.ts as its own process.
// Usage: bare-server.ts <db> <userId> <sectorIds,> [writable]; writable adds /accept, /close, /ingest.

const path = process.argv[2]!;
const writable = process.argv[5] === 'writable';
const db = new BetterSqlite3(path, { readonly: !writable });
if (writable) {
  // Deskgraph's connection settings (db/sqlite/client.ts), so the writes cost what they cost there.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
}
db.pragma('cache_size = -64000');
const userId = Number(process.argv[3]);
const sectorIds = process.argv[4]!.split(',').map(Number);
const writes = writable ? bareWrites(db, 1, userId, sectorIds) : null;

const branch = (where: string) => `SELECT * FROM (SELECT id, last_activity_at FROM tickets WHERE ${where} ORDER BY last_activity_at DESC, id DESC LIMIT 51)`;
const pageIds = (status: string, mine: boolean) =>
  db.prepare(
    `SELECT id FROM (${(mine ? [`status = '${status}' AND assignee_id = ${userId}`] : [...sectorIds.map((s) => `status = '${status}' AND sector_id = ${s}`), `status = '${status}' AND assignee_id = ${userId}`])
      .map(branch)
      .join(' UNION ')}) ORDER BY last_activity_at DESC, id DESC LIMIT 51`,
  );
const pages = { WAITING: pageIds('WAITING', false), OPEN: pageIds('OPEN', true), CLOSED: pageIds('CLOSED', false) };
const rows = db.prepare(`SELECT t.id, t.protocol, t.status, t.last_activity_at, c.name AS contact_name, c.phone AS contact_phone, s.name AS sector_name, m.body AS last_message
  FROM tickets t JOIN contacts c ON c.id = t.contact_id LEFT JOIN sectors s ON s.id = t.sector_id LEFT JOIN messages m ON m.id = t.last_message_id
  WHERE t.id IN (SELECT value FROM json_each(?)) ORDER BY t.last_activity_at DESC, t.id DESC`);
const list = sectorIds.join(',');
const count = (status: string) =>
  db.prepare(`SELECT (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE account_id = 1 AND status = '${status}' AND sector_id IN (${list}))
    + (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE assignee_id = ${userId} AND status = '${status}' AND account_id = 1 AND sector_id NOT IN (${list})) AS n`);
const counts = { WAITING: count('WAITING'), CLOSED: count('CLOSED'), OPEN: db.prepare(`SELECT coalesce(sum(n), 0) AS n FROM ticket_counts WHERE assignee_id = ${userId} AND status = 'OPEN' AND account_id = 1`) };
const ticket = db.prepare('SELECT t.id, t.protocol, t.status, c.name AS contact_name FROM tickets t JOIN contacts c ON c.id = t.contact_id WHERE t.id = ?');
const messages = db.prepare('SELECT id, body, direction, created_at FROM messages WHERE ticket_id = ? ORDER BY id DESC LIMIT 50');

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bare');
  let body: unknown;
  const status = (url.searchParams.get('status') ?? 'WAITING') as keyof typeof pages;
  if (url.pathname === '/page') {
    const ids = (pages[status].all() as { id: number }[]).map((row) => row.id);
    body = { total: (counts[status].get() as { n: number }).n, tickets: rows.all(JSON.stringify(ids.slice(0, 50))) };
  } else if (url.pathname === '/counts') {
    body = { waiting: (counts.WAITING.get() as { n: number }).n, open: (counts.OPEN.get() as { n: number }).n, closed: (counts.CLOSED.get() as { n: number }).n };
  } else if (url.pathname === '/ticket') {
    const id = Number(url.searchParams.get('id'));
    body = { ticket: ticket.get(id), messages: messages.all(id) };
  } else if (writes && ['/accept', '/close', '/ingest'].includes(url.pathname)) {
    const id = Number(url.searchParams.get('id'));
    const result: WriteResult =
      url.pathname === '/ingest'
        ? writes.ingest(url.searchParams.get('phone')!, url.searchParams.get('body') ?? '', Number(url.searchParams.get('sector')))
        : writes[url.pathname === '/accept' ? 'accept' : 'close'](id);
    res.writeHead(result.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result.body));
    return;
  } else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
});
server.listen(0, '127.0.0.1', () => console.log(`BARE ${(server.address() as { port: number }).port}`));
