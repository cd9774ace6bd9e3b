import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { RoutingMode } from '../../types.js';
import { accounts } from './accounts.js';

export const sectors = sqliteTable(
  'sectors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    color: text('color').notNull(),
    greeting: text('greeting'),
    routingMode: text('routing_mode').$type<RoutingMode>().notNull().default('MANUAL'),
    lastAssignedUserId: integer('last_assigned_user_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  // "Sales" and "sales" are the same sector to the people choosing from a menu.
  (t) => [uniqueIndex('sectors_account_name_unique').on(t.accountId, sql`lower(${t.name})`)],
);
