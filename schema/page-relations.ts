import DataLoader from 'dataloader';
import type { MessagePage, PageRelations } from '../db/types.js';
import type { Context } from './context.js';

// A tab page's statement reads its contacts, sectors and last messages beside the tickets; the
// Ticket fields take them from here first, so a page costs one statement instead of four.

const byContext = new WeakMap<Context, PageRelations[]>();

export function rememberRelations(context: Context, relations: PageRelations | undefined): void {
  if (!relations) return;
  const known = byContext.get(context);
  if (known) known.push(relations);
  else byContext.set(context, [relations]);
}

type Kind = keyof PageRelations;
type Of<K extends Kind> = NonNullable<ReturnType<PageRelations[K]>>;

export function relatedOf<K extends Kind>(context: Context, kind: K, id: number): Of<K> | undefined {
  const known = byContext.get(context);
  if (!known) return undefined;
  for (const relations of known) {
    const found = relations[kind](id) as Of<K> | undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}

const loaders = new WeakMap<Context, Map<Kind, DataLoader<number, unknown>>>();

/**
 * The relation as the page read it, returned as is (no promise per row), or else read with the rest
 * the operation misses in one batch by `load` (rows in any order; an id it does not return is null).
 */
export function relationOf<K extends Kind>(context: Context, kind: K, id: number, load: (ids: number[]) => Promise<Of<K>[]>): Of<K> | Promise<Of<K> | null> {
  const related = relatedOf(context, kind, id);
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
