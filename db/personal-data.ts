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
