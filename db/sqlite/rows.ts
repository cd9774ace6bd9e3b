import { Column, getTableColumns } from 'drizzle-orm';
import { channels, contacts, messages, sectors, tickets, users } from './tables/index.js';
import type { Channel, Contact, Message, Sector, Ticket, User } from '../types.js';

// Column lists and row decoders for the hand-written hot reads (db/sqlite/prepared.ts), derived from
// the table definitions, so a column added to a table needs no second list. Raw rows are arrays in
// column order; each value decodes as drizzle's own mapping does (timestamp_ms -> Date, boolean,
// json), and null stays null.

type Row = readonly unknown[];

function codecOf<T>(columns: Record<string, Column>) {
  const entries = Object.entries(columns);
  const keys = entries.map(([key]) => key);
  // Plain integers and text map to themselves: skipped, as they are most values of every row.
  const maps = entries.map(([, column]) => (column.mapFromDriverValue === Column.prototype.mapFromDriverValue ? null : (value: unknown) => column.mapFromDriverValue(value)));
  return {
    columns: entries.map(([, column]) => column.name).join(', '),
    decode(row: Row): T {
      const shape: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const value = row[i];
        const map = maps[i];
        shape[keys[i]!] = value === null || !map ? value : map(value);
      }
      return shape as T;
    },
  };
}

const { passwordHash: _secret, ...userColumnsWithoutSecret } = getTableColumns(users);
/** Every user column but the password hash, which never leaves db/ on a read: for drizzle's builder and below. */
export const publicUserColumns = userColumnsWithoutSecret;

const ticketCodec = codecOf<Ticket>(getTableColumns(tickets));
const contactCodec = codecOf<Contact>(getTableColumns(contacts));
const messageCodec = codecOf<Message>(getTableColumns(messages));
const sectorCodec = codecOf<Sector>(getTableColumns(sectors));
const userCodec = codecOf<User>(publicUserColumns);
const channelCodec = codecOf<Channel>(getTableColumns(channels));

export const ticketColumns = ticketCodec.columns;
export const ticketOf = ticketCodec.decode;
export const contactColumns = contactCodec.columns;
export const contactOf = contactCodec.decode;
export const messageColumns = messageCodec.columns;
export const messageOf = messageCodec.decode;
export const sectorColumns = sectorCodec.columns;
export const sectorOf = sectorCodec.decode;
/** Every user column but the password hash, as SQL text. */
export const userColumns = userCodec.columns;
export const userOf = userCodec.decode;
export const channelColumns = channelCodec.columns;
export const channelOf = channelCodec.decode;
