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

/** Loader batches: what the pages read already, plus `load(missing)` for the rest (skipped when none). */
export async function relatedOrLoad<K extends Kind>(context: Context, kind: K, ids: readonly number[], load: (ids: number[]) => Promise<Of<K>[]>): Promise<Of<K>[]> {
  const found: Of<K>[] = [];
  const missing: number[] = [];
  for (const id of ids) {
    const related = relatedOf(context, kind, id);
    if (related === undefined) missing.push(id);
    else found.push(related);
  }
  return missing.length === 0 ? found : [...found, ...(await load(missing))];
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
