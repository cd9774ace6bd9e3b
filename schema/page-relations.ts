import { dataloaderGetter } from '@pothos/plugin-dataloader';
import type DataLoader from 'dataloader';
import type { MessagePage, PageRelations, Ticket } from '../db/types.js';
import type { Context } from './context.js';

// A tab page's statement (and ticket(id)'s) reads contacts, sectors and last messages beside the tickets; the
// Ticket fields take them from there first, so a page costs one statement instead of four. They stay with the
// ticket rows read with them: a page may fill its contacts and messages only as far as its own fields ask
// (TabRowReads), and no other field of the operation may be handed such a row.

const byRow = new WeakMap<object, PageRelations>();

export function rememberRelations(tickets: readonly Ticket[], relations: PageRelations | undefined): void {
  if (!relations) return;
  for (const ticket of tickets) byRow.set(ticket, relations);
}

type Kind = keyof PageRelations;
type Of<K extends Kind> = NonNullable<ReturnType<NonNullable<PageRelations[K]>>>;

/** What the page that read `row` (a ticket, or a contact it handed out) read of `kind` for `id`; undefined when it read none. */
export function relatedOf<K extends Kind>(row: object, kind: K, id: number): Of<K> | undefined {
  const relations = byRow.get(row);
  const related = relations?.[kind]?.(id) as Of<K> | undefined;
  // A contact's tags, when its ticket's page read them, come from there: the contact row keeps that page's relations.
  if (kind === 'contact' && related && relations!.contactTags) byRow.set(related, relations!);
  return related;
}

/** Reads, per operation, what its pages did not: registered with Pothos' loaders, so a subscription's clearAllDataLoaders clears them before each event. */
export type RelationLoader<V> = (context: Context) => DataLoader<number, V>;

/** Rows of a relation by id, in one batch per operation (`load` returns them in any order; an id it does not return is null). */
export function relationLoader<Row extends { id: number }>(load: (ids: number[], context: Context) => Promise<Row[]>): RelationLoader<Row | null> {
  return dataloaderGetter<number, Row | null, number>(undefined, async (ids, context: object) => {
    const byId = new Map((await load([...ids], context as Context)).map((row) => [row.id, row]));
    return ids.map((wanted) => byId.get(wanted) ?? null);
  }, undefined, false) as RelationLoader<Row | null>;
}

/** Tags by owner id, in one batch per operation (an owner `load` does not name has none). */
export function tagsLoader(load: (ids: readonly number[], context: Context) => Promise<Map<number, string[]>>): RelationLoader<string[]> {
  return dataloaderGetter<number, string[], number>(undefined, async (ids, context: object) => {
    const byId = await load(ids, context as Context);
    return ids.map((wanted) => byId.get(wanted) ?? []);
  }, undefined, false) as RelationLoader<string[]>;
}

/** The relation as the page read it, returned as is (no promise per row), or else through `loader` with the rest the operation misses. */
export function relationOf<K extends 'contact' | 'message'>(context: Context, ticket: Ticket, kind: K, id: number, loader: RelationLoader<Of<K> | null>): Of<K> | Promise<Of<K> | null> {
  return relatedOf(ticket, kind, id) ?? loader(context).load(id);
}

/** A ticket's or contact's tags as its page read them, or else through `loader`. */
export function tagsRelationOf(context: Context, row: object, kind: 'ticketTags' | 'contactTags', id: number, loader: RelationLoader<string[]>): string[] | Promise<string[]> {
  return relatedOf(row, kind, id) ?? loader(context).load(id);
}

// ticket(id) reads the ticket's newest messages in its own statement when the query asks for them
// (first page, forward): the messages field then takes that page instead of reading it again.

const messagesByContext = new WeakMap<Context, Map<number, { size: number; page: MessagePage }>>();

export function rememberMessages(context: Context, ticketId: number, size: number, page: MessagePage): void {
  let known = messagesByContext.get(context);
  if (!known) messagesByContext.set(context, (known = new Map()));
  known.set(ticketId, { size, page });
}

/** The newest messages of the ticket read already in this operation, with the page size they were read for. */
export function messagesReadOf(context: Context, ticketId: number): { size: number; page: MessagePage } | undefined {
  return messagesByContext.get(context)?.get(ticketId);
}
