import DataLoader from 'dataloader';
import type { MessagePage, PageRelations, Ticket } from '../db/types.js';
import type { Context } from './context.js';

// A tab page's statement (and ticket(id)'s) reads contacts, sectors and last messages beside the tickets; the
// Ticket fields take them from there first, so a page costs one statement instead of four. They stay with the
// ticket rows read with them: a page may fill its contacts and messages only as far as its own fields ask
// (TabRowReads), and no other field of the operation may be handed such a row.

const byTicket = new WeakMap<Ticket, PageRelations>();

export function rememberRelations(tickets: readonly Ticket[], relations: PageRelations | undefined): void {
  if (!relations) return;
  for (const ticket of tickets) byTicket.set(ticket, relations);
}

type Kind = keyof PageRelations;
type Of<K extends Kind> = NonNullable<ReturnType<PageRelations[K]>>;

export function relatedOf<K extends Kind>(ticket: Ticket, kind: K, id: number): Of<K> | undefined {
  return byTicket.get(ticket)?.[kind](id) as Of<K> | undefined;
}

const loaders = new WeakMap<Context, Map<Kind, DataLoader<number, unknown>>>();

/**
 * The relation as the page read it, returned as is (no promise per row), or else read with the rest
 * the operation misses in one batch by `load` (rows in any order; an id it does not return is null).
 */
export function relationOf<K extends Kind>(context: Context, ticket: Ticket, kind: K, id: number, load: (ids: number[]) => Promise<Of<K>[]>): Of<K> | Promise<Of<K> | null> {
  const related = relatedOf(ticket, kind, id);
  if (related !== undefined) return related;
  let byKind = loaders.get(context);
  if (!byKind) loaders.set(context, (byKind = new Map()));
  let loader = byKind.get(kind) as DataLoader<number, Of<K> | null> | undefined;
  if (!loader) {
    loader = new DataLoader<number, Of<K> | null>(async (ids) => {
      const byId = new Map((await load([...ids])).map((row) => [row.id, row]));
      return ids.map((wanted) => byId.get(wanted) ?? null);
    });
    byKind.set(kind, loader);
  }
  return loader.load(id);
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
