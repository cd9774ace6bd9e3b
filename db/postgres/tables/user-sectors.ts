import { index, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { sectors } from './sectors.js';
import { users } from './users.js';

/** Sector membership: which agents serve which queues. */
export const userSectors = pgTable(
  'user_sectors',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sectorId: integer('sector_id')
      .notNull()
      .references(() => sectors.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sectorId] }), index('user_sectors_sector').on(t.sectorId, t.userId)],
);
