import { Column, getTableColumns } from 'drizzle-orm';
import { channels, contacts, messages, sectors, tickets, users } from './tables/index.js';
import { positionalDecoderOf } from '../row-decoder.js';
import type { Channel, Contact, Message, Sector, Ticket, User } from '../types.js';

// Column lists and row decoders for the hand-written hot reads (db/sqlite/prepared.ts), derived from
// the table definitions, so a column added to a table needs no second list. Raw rows are arrays in
// column order; each value decodes as drizzle's own mapping does (timestamp_ms -> Date, boolean,
// json), and null stays null.

function codecOf<T>(columns: Record<string, Column>) {
  const entries = Object.entries(columns);
  // Plain integers and text map to themselves: read as they are, as they are most values of every row.
  const decode = positionalDecoderOf<T>(
    entries.map(([key, column]) => ({ key, map: column.mapFromDriverValue === Column.prototype.mapFromDriverValue ? null : (value: unknown) => column.mapFromDriverValue(value) })),
  );
  return { columns: entries.map(([, column]) => column.name).join(', '), decode };
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
