import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { ClosedBy, TicketStatus } from '../../types.js';
import { accounts } from './accounts.js';
import { channels } from './channels.js';
import { contacts } from './contacts.js';
import { sectors } from './sectors.js';
import { users } from './users.js';

export const tickets = pgTable(
  'tickets',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    protocol: integer('protocol').notNull(),
    contactId: integer('contact_id')
      .notNull()
      .references(() => contacts.id),
    channelId: integer('channel_id')
      .notNull()
      .references(() => channels.id),
    sectorId: integer('sector_id').references(() => sectors.id),
    assigneeId: integer('assignee_id').references(() => users.id),
    status: text('status').$type<TicketStatus>().notNull(),
    lastMessageId: integer('last_message_id'),
    outOfHours: boolean('out_of_hours').notNull().default(false),
    callbackRequested: boolean('callback_requested'),
    closedBy: text('closed_by').$type<ClosedBy>(),
    closedById: integer('closed_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    // When the ticket last entered a queue (created or transferred to a sector): takeNext's order.
    queuedAt: timestamp('queued_at', { withTimezone: true, mode: 'date', precision: 3 }),
    acceptedAt: timestamp('accepted_at', { withTimezone: true, mode: 'date', precision: 3 }),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true, mode: 'date', precision: 3 }),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date', precision: 3 }),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    // The contact's first message still unanswered by an agent: response times are measured from it.
    pendingInboundSince: timestamp('pending_inbound_since', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  // Tab pages read at most `first` index entries per branch (BENCH-NOTES.md): one branch per
  // sector of the agent, one for "assigned to me", one per account for ADMIN.
  (t) => [
    uniqueIndex('tickets_account_protocol').on(t.accountId, t.protocol),
    index('tickets_tab_sector').on(t.status, t.sectorId, t.lastActivityAt.desc(), t.id.desc()),
    index('tickets_tab_assignee').on(t.status, t.assigneeId, t.lastActivityAt.desc(), t.id.desc(), t.sectorId),
    index('tickets_tab_account').on(t.accountId, t.status, t.lastActivityAt.desc(), t.id.desc()),
    index('tickets_queue').on(t.status, t.sectorId, t.queuedAt, t.id),
    index('tickets_contact').on(t.contactId, t.lastActivityAt.desc(), t.id.desc()),
    index('tickets_contact_channel').on(t.contactId, t.channelId, t.status),
    // One live (WAITING or OPEN) conversation per contact and channel: concurrent first messages on
    // PostgreSQL meet here, and the losing transaction's retry joins the winner's ticket.
    uniqueIndex('tickets_live_contact_channel').on(t.contactId, t.channelId).where(sql`status IN ('WAITING', 'OPEN')`),
    // Monitoring reads "today" as index ranges on these instants.
    index('tickets_account_created').on(t.accountId, t.createdAt),
    index('tickets_account_first_response').on(t.accountId, t.firstResponseAt),
    index('tickets_account_closed').on(t.accountId, t.closedAt),
    // Covers the queue (oldest queued_at) and "in service" (answered OPEN) without row lookups.
    index('tickets_account_status_progress').on(t.accountId, t.status, t.queuedAt, t.firstResponseAt),
    // OPEN tickets not answered yet are a short range here; "in service" is OPEN minus them.
    index('tickets_account_unanswered').on(t.accountId, t.status, t.firstResponseAt),
  ],
);

export const ticketTags = pgTable(
  'ticket_tags',
  {
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.tag] })],
);

/**
 * Tickets per (status, sector, assignee), kept by triggers in the writing transaction, so tab
 * counts are a few primary-key lookups instead of index range scans. 0 stands for "none".
 * Each writer adds its delta to one of 16 slots, so concurrent writers of one account do not
 * queue on one hot row; a count is the sum over the slots.
 */
export const ticketCounts = pgTable(
  'ticket_counts',
  {
    accountId: integer('account_id').notNull(),
    status: text('status').$type<TicketStatus>().notNull(),
    sectorId: integer('sector_id').notNull(),
    assigneeId: integer('assignee_id').notNull(),
    slot: smallint('slot').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.status, t.sectorId, t.assigneeId, t.slot] }),
    index('ticket_counts_assignee').on(t.assigneeId, t.status, t.sectorId),
  ],
);

/** Tickets per (account, status), kept by the same triggers: the ADMIN's tab counts in one range read (slots summed). */
export const ticketTotals = pgTable(
  'ticket_totals',
  {
    accountId: integer('account_id').notNull(),
    status: text('status').$type<TicketStatus>().notNull(),
    slot: smallint('slot').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.status, t.slot] })],
);
