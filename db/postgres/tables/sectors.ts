import { sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { RoutingMode } from '../../types.js';
import { accounts } from './accounts.js';

export const sectors = pgTable(
  'sectors',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    color: text('color').notNull(),
    greeting: text('greeting'),
    routingMode: text('routing_mode').$type<RoutingMode>().notNull().default('MANUAL'),
    lastAssignedUserId: integer('last_assigned_user_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  // "Sales" and "sales" are the same sector to the people choosing from a menu.
  (t) => [uniqueIndex('sectors_account_name_unique').on(t.accountId, sql`lower(${t.name})`)],
);
