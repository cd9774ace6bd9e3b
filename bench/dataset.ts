import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../db/store.js';

// A realistic helpdesk at scale, written straight into a migrated file: most tickets CLOSED, a few
// percent WAITING, agents in 1-3 sectors; the triggers keep counts and search in step as in production.

export interface DatasetSize {
  tickets: number;
  contacts: number;
  sectors: number;
  agents: number;
  messagesPerTicket: number;
}

export const fullSize: DatasetSize = { tickets: 1_000_000, contacts: 300_000, sectors: 50, agents: 2_000, messagesPerTicket: 5 };
export const quickSize: DatasetSize = { tickets: 100_000, contacts: 30_000, sectors: 50, agents: 500, messagesPerTicket: 5 };

export interface Dataset {
  accountId: number;
  adminId: number;
  /** The agent the workloads measure: a USER in 3 sectors. */
  agent: { userId: number; sectorIds: number[] };
  size: DatasetSize;
}

const words = ['order', 'delivery', 'refund', 'invoice', 'late', 'broken', 'thanks', 'please', 'price', 'plan', 'account', 'password', 'help', 'today', 'tomorrow'];

/** A small deterministic generator, so two runs build the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function generateDataset(path: string, size: DatasetSize, passwordHash: string, progress: (message: string) => void = () => {}): Promise<Dataset> {
  await (await openStore({ url: path })).close();
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = ON');
  const rand = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const now = Date.now();
  const year = 365 * 24 * 3600 * 1000;

  const accountId = Number(db.prepare("INSERT INTO accounts (name, time_zone, ticket_sequence, created_at) VALUES ('Bench', 'UTC', 0, ?)").run(now - year).lastInsertRowid);
  const channelId = Number(db.prepare("INSERT INTO channels (account_id, name, kind, is_default, created_at) VALUES (?, 'WhatsApp', 'WHATSAPP', 1, ?)").run(accountId, now).lastInsertRowid);
  const insertUser = db.prepare(
    `INSERT INTO users (account_id, name, email, password_hash, role, active, status, status_changed_at, can_dismiss_waiting, can_view_all_contacts, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 1, 'ONLINE', ?, 0, 0, ?, ?)`,
  );
  const sectorIds: number[] = [];
  const agentsBySector = new Map<number, number[]>();
  let adminId = 0;
  let agent = { userId: 0, sectorIds: [] as number[] };
  db.transaction(() => {
    const insertSector = db.prepare("INSERT INTO sectors (account_id, name, color, routing_mode, created_at) VALUES (?, ?, '#2563eb', 'MANUAL', ?)");
    for (let s = 0; s < size.sectors; s++) {
      const id = Number(insertSector.run(accountId, `Sector ${s}`, now).lastInsertRowid);
      sectorIds.push(id);
      agentsBySector.set(id, []);
    }
    adminId = Number(insertUser.run(accountId, 'Admin', 'admin@bench.test', passwordHash, 'ADMIN', now, now, now).lastInsertRowid);
    const insertMembership = db.prepare('INSERT INTO user_sectors (user_id, sector_id) VALUES (?, ?)');
    for (let a = 0; a < size.agents; a++) {
      const userId = Number(insertUser.run(accountId, `Agent ${a}`, `agent${a}@bench.test`, passwordHash, 'USER', now, now, now).lastInsertRowid);
      const count = a === 0 ? 3 : 1 + Math.floor(rand() * 3);
      const mine = new Set<number>();
      while (mine.size < count) mine.add(a === 0 ? sectorIds[mine.size]! : pick(sectorIds));
      for (const sectorId of mine) {
        insertMembership.run(userId, sectorId);
        agentsBySector.get(sectorId)!.push(userId);
      }
      if (a === 0) agent = { userId, sectorIds: [...mine] };
    }
  })();
  progress(`${size.sectors} sectors, ${size.agents} agents`);

  const insertContact = db.prepare('INSERT INTO contacts (account_id, name, phone, last_interaction_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let c = 0; c < size.contacts; c++) {
      insertContact.run(accountId, rand() < 0.1 ? null : `Contact ${c} ${pick(['Silva', 'Souza', 'Costa', 'Lima', 'Rocha'])}`, `55119${String(c).padStart(8, '0')}`, now, now - year, now);
    }
  })();
  progress(`${size.contacts} contacts`);

  const insertTicket = db.prepare(
    `INSERT INTO tickets (account_id, protocol, contact_id, channel_id, sector_id, assignee_id, status, last_message_id, out_of_hours,
       closed_by, closed_by_id, created_at, queued_at, accepted_at, first_response_at, closed_at, last_activity_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertMessage = db.prepare(
    "INSERT INTO messages (account_id, ticket_id, direction, author, author_user_id, kind, body, attachments, created_at) VALUES (?, ?, ?, ?, ?, 'TEXT', ?, '[]', ?)",
  );
  const setLast = db.prepare('UPDATE tickets SET last_message_id = ? WHERE id = ?');
  const batch = 50_000;
  const live = new Set<number>();
  for (let start = 0; start < size.tickets; start += batch) {
    db.transaction(() => {
      for (let i = start; i < Math.min(size.tickets, start + batch); i++) {
        const roll = rand();
        const status = roll < 0.03 ? 'WAITING' : roll < 0.1 ? 'OPEN' : 'CLOSED';
        const sectorId = rand() < 0.02 ? null : pick(sectorIds);
        const agents = sectorId ? agentsBySector.get(sectorId)! : [];
        const assigneeId = status === 'WAITING' || agents.length === 0 ? null : pick(agents);
        const created = now - Math.floor(rand() * year);
        const lastActivity = status === 'CLOSED' ? created + Math.floor(rand() * 3_600_000) : now - Math.floor(rand() * 86_400_000);
        let contactId = 1 + Math.floor(rand() * size.contacts);
        // One live conversation per contact and channel (a unique index): a live ticket takes the next contact without one.
        if (status !== 'CLOSED') {
          while (live.has(contactId)) contactId = (contactId % size.contacts) + 1;
          live.add(contactId);
        }
        const ticketId = Number(
          insertTicket.run(
            accountId, i + 1, contactId, channelId, sectorId, status === 'WAITING' ? null : assigneeId, status,
            status === 'CLOSED' ? 'AGENT' : null, status === 'CLOSED' ? assigneeId : null, created,
            status === 'WAITING' ? lastActivity : null, status === 'WAITING' ? null : created + 60_000, status === 'WAITING' ? null : created + 120_000,
            status === 'CLOSED' ? lastActivity : null, lastActivity,
          ).lastInsertRowid,
        );
        let lastMessageId = 0;
        const count = 1 + Math.floor(rand() * (2 * size.messagesPerTicket - 1));
        for (let m = 0; m < count; m++) {
          const inbound = m % 2 === 0;
          const body = `${pick(words)} ${pick(words)} ${pick(words)} #${i}-${m}`;
          lastMessageId = Number(insertMessage.run(accountId, ticketId, inbound ? 'IN' : 'OUT', inbound ? 'CONTACT' : 'AGENT', inbound ? null : assigneeId, body, created + m * 30_000).lastInsertRowid);
        }
        setLast.run(lastMessageId, ticketId);
      }
    })();
    progress(`${Math.min(size.tickets, start + batch)} tickets`);
  }
  db.prepare('UPDATE accounts SET ticket_sequence = ? WHERE id = ?').run(size.tickets, accountId);
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { accountId, adminId, agent, size };
}
