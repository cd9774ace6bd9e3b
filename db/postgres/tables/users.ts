import { boolean, index, integer, json, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { AgentStatus, Role, WorkingHours } from '../../types.js';
import { accounts } from './accounts.js';

export const users = pgTable(
  'users',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    // The host platform's id for this user (single sign-on, upsertUser); unique within the account only.
    externalId: text('external_id'),
    // Stored lower-cased: the login is case-insensitive and unique across accounts.
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<Role>().notNull(),
    active: boolean('active').notNull().default(true),
    avatarUrl: text('avatar_url'),
    phone: text('phone'),
    status: text('status').$type<AgentStatus>().notNull().default('OFFLINE'),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    /** Why the agent is PAUSED, when they said; null in any other status. */
    pauseReasonId: integer('pause_reason_id'),
    canDismissWaiting: boolean('can_dismiss_waiting').notNull().default(false),
    canViewAllContacts: boolean('can_view_all_contacts').notNull().default(false),
    canMonitor: boolean('can_monitor').notNull().default(false),
    canViewUnsectored: boolean('can_view_unsectored').notNull().default(false),
    maxConcurrentTickets: integer('max_concurrent_tickets'),
    workingHours: json('working_hours').$type<WorkingHours>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    index('users_account_name').on(t.accountId, t.name),
    uniqueIndex('users_account_external_id').on(t.accountId, t.externalId),
  ],
);
