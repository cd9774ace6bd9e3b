import { channelColumns, contactColumns, messageColumns, sectorColumns, userColumns } from './rows.js';

// The hand-written SQL of the reads every request makes (the viewer, the nested loaders, a ticket's
// messages), gathered in one place; each text is prepared once per connection (prepared.ts) and its
// rows decoded by rows.ts. The tabs' SQL is composed in queries/ticket-tabs.ts. Everything else in
// queries/ uses drizzle's builder.

/** Rows of `table` among a JSON id list; the account is a guard beside the ids, never the way in. */
const byIds = (table: string, columns: string) => `SELECT ${columns} FROM ${table} WHERE +account_id = ? AND id IN (SELECT value FROM json_each(?))`;
const byId = (table: string, columns: string) => `SELECT ${columns} FROM ${table} WHERE id = ? AND +account_id = ?`;

export const hotReads = {
  /** The viewer of every request: the user, whether their account is suspended, and their sector ids in one statement. */
  userWithSectors: `SELECT ${userColumns}, (SELECT suspended_at IS NOT NULL FROM accounts WHERE id = users.account_id) AS account_suspended, (SELECT json_group_array(sector_id) FROM user_sectors WHERE user_id = users.id) AS sector_ids FROM users WHERE id = ?`,
  userById: byId('users', userColumns),
  usersByIds: byIds('users', userColumns),
  sectorIdsOfUsers: 'SELECT user_id, sector_id FROM user_sectors WHERE user_id IN (SELECT value FROM json_each(?))',
  sectorById: byId('sectors', sectorColumns),
  sectorsByIds: byIds('sectors', sectorColumns),
  channelById: byId('channels', channelColumns),
  channelsByIds: byIds('channels', channelColumns),
  contactsByIds: byIds('contacts', contactColumns),
  tagsOfContacts: 'SELECT contact_id, tag FROM contact_tags WHERE contact_id IN (SELECT value FROM json_each(?)) ORDER BY tag',
  tagsOfTickets: 'SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (SELECT value FROM json_each(?)) ORDER BY tag',
  /** An ADMIN's tab count: one row of the totals kept by triggers. */
  accountTicketTotal: 'SELECT n FROM ticket_totals WHERE account_id = ? AND status = ?',
  messagesByIds: byIds('messages', messageColumns),
  messagesOfTicket: `SELECT ${messageColumns} FROM messages WHERE ticket_id = ? ORDER BY id DESC LIMIT ?`,
  messagesOfTicketBefore: `SELECT ${messageColumns} FROM messages WHERE ticket_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
} as const;
