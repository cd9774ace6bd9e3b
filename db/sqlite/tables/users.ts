import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { AgentStatus, Role, WorkingHours } from '../../types.js';
import { accounts } from './accounts.js';

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
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
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    avatarUrl: text('avatar_url'),
    phone: text('phone'),
    status: text('status').$type<AgentStatus>().notNull().default('OFFLINE'),
    statusChangedAt: integer('status_changed_at', { mode: 'timestamp_ms' }).notNull(),
    /** Why the agent is PAUSED, when they said; null in any other status. */
    pauseReasonId: integer('pause_reason_id'),
    canDismissWaiting: integer('can_dismiss_waiting', { mode: 'boolean' }).notNull().default(false),
    canViewAllContacts: integer('can_view_all_contacts', { mode: 'boolean' }).notNull().default(false),
    canMonitor: integer('can_monitor', { mode: 'boolean' }).notNull().default(false),
    canViewUnsectored: integer('can_view_unsectored', { mode: 'boolean' }).notNull().default(false),
    maxConcurrentTickets: integer('max_concurrent_tickets'),
    workingHours: text('working_hours', { mode: 'json' }).$type<WorkingHours>(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    index('users_account_name').on(t.accountId, t.name),
    uniqueIndex('users_account_external_id').on(t.accountId, t.externalId),
  ],
);
