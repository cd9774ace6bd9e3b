import { sql, type SQL } from 'drizzle-orm';
import type { Contact, ContactRecord, Message, Ticket, TicketHistoryEntry } from './types.js';

type OfTicket = { ticketId: number };

function byTicket<T extends OfTicket>(rows: readonly T[]): Map<number, T[]> {
  const grouped = new Map<number, T[]>();
  for (const row of rows) {
    const list = grouped.get(row.ticketId);
    if (list) list.push(row);
    else grouped.set(row.ticketId, [row]);
  }
  return grouped;
}

/** One contact's export from the rows each engine read (every list already in order). */
export function recordFrom(
  contact: Contact,
  tags: string[],
  tickets: readonly Ticket[],
  rows: {
    messageRows: readonly Message[];
    historyRows: readonly TicketHistoryEntry[];
    tagRows: readonly (OfTicket & { tag: string })[];
    ratingRows: readonly (OfTicket & { rating: number; comment: string | null; ratedAt: Date })[];
  },
): ContactRecord {
  const messages = byTicket(rows.messageRows);
  const history = byTicket(rows.historyRows);
  const ticketTags = byTicket(rows.tagRows);
  const ratings = new Map(rows.ratingRows.map((row) => [row.ticketId, row]));
  return {
    contact,
    tags,
    tickets: tickets.map((ticket) => {
      const rating = ratings.get(ticket.id);
      return {
        ticket,
        tags: (ticketTags.get(ticket.id) ?? []).map((row) => row.tag),
        messages: messages.get(ticket.id) ?? [],
        history: history.get(ticket.id) ?? [],
        rating: rating ? { rating: rating.rating, comment: rating.comment, ratedAt: rating.ratedAt } : null,
      };
    }),
  };
}

const ofAccount = (accountId: number) => sql`account_id = ${accountId}`;
const ofTicketsOf = (accountId: number) => sql`ticket_id IN (SELECT id FROM tickets WHERE account_id = ${accountId})`;
const ofUsersOf = (accountId: number) => sql`user_id IN (SELECT id FROM users WHERE account_id = ${accountId})`;

/**
 * Every row of an account, children before their parents, in SQL both engines run as written (table
 * names are the same on both). A table added under an account must be added here: the deleteAccount
 * test compares every table with what it held before the account existed.
 */
export function accountDeletions(accountId: number): SQL[] {
  const from = (table: string, where: SQL) => sql`DELETE FROM ${sql.raw(table)} WHERE ${where}`;
  return [
    from('outbox_failures', sql`event_id IN (SELECT id FROM outbox WHERE account_id = ${accountId})`),
    from('outbox', ofAccount(accountId)),
    from('webhook_deliveries', ofAccount(accountId)),
    from('webhooks', ofAccount(accountId)),
    from('plugin_records', ofAccount(accountId)),
    from('attachments', ofAccount(accountId)),
    from('ticket_history', ofTicketsOf(accountId)),
    from('ticket_tags', ofTicketsOf(accountId)),
    from('ticket_auto_replies', ofTicketsOf(accountId)),
    from('ticket_ratings', ofAccount(accountId)),
    from('routing_decisions', ofAccount(accountId)),
    from('after_hours_contacts', ofAccount(accountId)),
    from('agent_responses', ofAccount(accountId)),
    from('notifications', ofAccount(accountId)),
    from('messages', ofAccount(accountId)),
    from('tickets', ofAccount(accountId)),
    from('ticket_counts', ofAccount(accountId)),
    from('ticket_totals', ofAccount(accountId)),
    from('contact_tags', sql`contact_id IN (SELECT id FROM contacts WHERE account_id = ${accountId})`),
    from('contacts', ofAccount(accountId)),
    from('ready_reply_sectors', sql`reply_id IN (SELECT id FROM ready_replies WHERE account_id = ${accountId})`),
    from('ready_replies', ofAccount(accountId)),
    from('ready_reply_categories', ofAccount(accountId)),
    from('templates', ofAccount(accountId)),
    from('persisted_operations', ofAccount(accountId)),
    from('agent_status_log', ofAccount(accountId)),
    from('absence_settings', ofAccount(accountId)),
    from('pause_reasons', ofAccount(accountId)),
    from('refresh_tokens', ofUsersOf(accountId)),
    from('user_sectors', ofUsersOf(accountId)),
    from('integrations', ofAccount(accountId)),
    from('sectors', ofAccount(accountId)),
    from('channels', ofAccount(accountId)),
    from('users', ofAccount(accountId)),
    from('accounts', sql`id = ${accountId}`),
  ];
}
