import { boolean, index, integer, json, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { AutoTexts, ChannelKind, SectorMenu, WorkingHours } from '../../types.js';
import { accounts } from './accounts.js';

export const channels = pgTable(
  'channels',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    kind: text('kind').$type<ChannelKind>().notNull(),
    address: text('address'),
    isDefault: boolean('is_default').notNull().default(false),
    businessHours: json('business_hours').$type<WorkingHours>(),
    outOfHoursReply: text('out_of_hours_reply'),
    offerCallback: boolean('offer_callback').notNull().default(false),
    menu: json('menu').$type<SectorMenu>(),
    // The contact's language on this channel (null: the account's) and the channel's own automatic texts.
    locale: text('locale'),
    autoTexts: json('auto_texts').$type<AutoTexts>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [index('channels_account').on(t.accountId)],
);
