import type BetterSqlite3 from 'better-sqlite3';

// The bare limit of the three writes of the mixed workload: the statements Deskgraph runs for
// acceptTicket, closeTicket and ingestMessage (captured with DeskgraphConfig.onStatement), prepared
// once and run in one BEGIN IMMEDIATE transaction each, with no GraphQL and no auth. Schedules,
// absences and routing refills, which the dataset leaves inert, are left out.

export type WriteResult = { status: number; body: unknown };

export function bareWrites(db: BetterSqlite3.Database, accountId: number, userId: number, sectorIds: number[]) {
  const visible = `id = ? AND account_id = ${accountId} AND (sector_id IN (${sectorIds.join(',')}) OR assignee_id = ${userId})`;
  const ticketById = db.prepare(`SELECT * FROM tickets WHERE ${visible}`);
  const openCount = db.prepare(`SELECT sum(n) AS n FROM ticket_counts WHERE assignee_id = ${userId} AND status = 'OPEN' AND account_id = ${accountId}`);
  const accept = db.prepare(`UPDATE tickets SET assignee_id = ${userId}, status = 'OPEN', queued_at = NULL, accepted_at = @now, last_activity_at = @now
    WHERE id = @id AND status = 'WAITING' AND assignee_id IS NULL RETURNING *`);
  const close = db.prepare(`UPDATE tickets SET status = 'CLOSED', closed_by = 'AGENT', closed_by_id = ${userId}, queued_at = NULL, closed_at = @now, last_activity_at = @now
    WHERE id = @id AND status = 'OPEN' AND assignee_id = ${userId} RETURNING *`);
  const history = db.prepare('INSERT INTO ticket_history (ticket_id, kind, actor_kind, actor_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const outbox = db.prepare(`INSERT INTO outbox (account_id, type, payload, occurred_at) VALUES (${accountId}, ?, ?, ?) RETURNING id`);
  const defaultChannel = db.prepare(`SELECT * FROM channels WHERE account_id = ${accountId} AND is_default = 1`);
  const contactByPhone = db.prepare(`SELECT * FROM contacts WHERE account_id = ${accountId} AND phone = ?`);
  const insertContact = db.prepare(`INSERT INTO contacts (account_id, phone, last_interaction_at, created_at, updated_at) VALUES (${accountId}, @phone, @now, @now, @now) RETURNING *`);
  const liveTicket = db.prepare(`SELECT * FROM tickets WHERE contact_id = ? AND channel_id = ? AND status IN ('WAITING', 'OPEN') AND account_id = ${accountId}`);
  const nextProtocol = db.prepare(`UPDATE accounts SET ticket_sequence = ticket_sequence + 1 WHERE id = ${accountId} RETURNING ticket_sequence AS protocol`);
  const insertTicket = db.prepare(`INSERT INTO tickets (account_id, protocol, contact_id, channel_id, sector_id, status, out_of_hours, created_at, queued_at, last_activity_at)
    VALUES (${accountId}, @protocol, @contactId, @channelId, @sectorId, 'WAITING', 0, @now, @now, @now) RETURNING *`);
  const insertMessage = db.prepare(`INSERT INTO messages (account_id, ticket_id, direction, author, kind, body, attachments, created_at)
    VALUES (${accountId}, ?, 'IN', 'CONTACT', 'TEXT', ?, '[]', ?) RETURNING *`);
  const touchTicket = db.prepare('UPDATE tickets SET last_message_id = @messageId, last_activity_at = @now, pending_inbound_since = @now WHERE id = @id RETURNING *');
  const touchContact = db.prepare(`UPDATE contacts SET last_interaction_at = @now, updated_at = @now WHERE account_id = ${accountId} AND id = @id RETURNING *`);

  const event = (type: string, payload: object, now: number) => outbox.get(type, JSON.stringify(payload), now);

  const transition = (kind: 'ACCEPTED' | 'CLOSED', id: number): WriteResult => {
    const now = Date.now();
    const ticket = ticketById.get(id) as { status: string } | undefined;
    if (!ticket) return { status: 404, body: { error: 'NOT_FOUND' } };
    if (kind === 'ACCEPTED') openCount.get();
    const changed = (kind === 'ACCEPTED' ? accept : close).get({ id, now }) as { id: number; status: string } | undefined;
    if (!changed) return { status: 409, body: { error: 'CONFLICT' } };
    history.run(id, kind, 'USER', userId, kind === 'CLOSED' ? JSON.stringify({ from: ticket.status }) : '{}', now);
    event('ticket.statusChanged', { ticketId: id, actor: { kind: 'USER', id: userId }, from: ticket.status, to: changed.status }, now);
    return { status: 200, body: changed };
  };

  const ingest = (phone: string, body: string, sectorId: number): WriteResult => {
    const now = Date.now();
    const channel = defaultChannel.get() as { id: number };
    let contact = contactByPhone.get(phone) as { id: number } | undefined;
    if (!contact) {
      contact = insertContact.get({ phone, now }) as { id: number };
      event('contact.created', { contactId: contact.id }, now);
    }
    let ticket = liveTicket.get(contact.id, channel.id) as { id: number } | undefined;
    if (!ticket) {
      const { protocol } = nextProtocol.get() as { protocol: number };
      ticket = insertTicket.get({ protocol, contactId: contact.id, channelId: channel.id, sectorId, now }) as { id: number };
      history.run(ticket.id, 'CREATED', 'INTEGRATION', 1, JSON.stringify({ channelId: channel.id, sectorId }), now);
      event('ticket.created', { ticketId: ticket.id }, now);
    }
    const message = insertMessage.get(ticket.id, body, now) as { id: number };
    const touched = touchTicket.get({ messageId: message.id, now, id: ticket.id });
    touchContact.get({ now, id: contact.id });
    event('message.created', { messageId: message.id, ticketId: ticket.id }, now);
    return { status: 200, body: touched };
  };

  // One IMMEDIATE transaction per write, as Deskgraph's store.write.
  const inTransaction = db.transaction((work: () => WriteResult) => work());
  return {
    accept: (id: number) => inTransaction.immediate(() => transition('ACCEPTED', id)),
    close: (id: number) => inTransaction.immediate(() => transition('CLOSED', id)),
    ingest: (phone: string, body: string, sectorId: number) => inTransaction.immediate(() => ingest(phone, body, sectorId)),
  };
}
