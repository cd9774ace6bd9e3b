import { integer, sqliteTable, text, index } from 'drizzle-orm/sqlite-core';
import type { AutoTexts, ChannelKind, SectorMenu, WorkingHours } from '../../types.js';
import { accounts } from './accounts.js';

export const channels = sqliteTable(
  'channels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    kind: text('kind').$type<ChannelKind>().notNull(),
    address: text('address'),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    businessHours: text('business_hours', { mode: 'json' }).$type<WorkingHours>(),
    outOfHoursReply: text('out_of_hours_reply'),
    offerCallback: integer('offer_callback', { mode: 'boolean' }).notNull().default(false),
    menu: text('menu', { mode: 'json' }).$type<SectorMenu>(),
    // The contact's language on this channel (null: the account's) and the channel's own automatic texts.
    locale: text('locale'),
    autoTexts: text('auto_texts', { mode: 'json' }).$type<AutoTexts>(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('channels_account').on(t.accountId)],
);
