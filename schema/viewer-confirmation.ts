import { Kind, getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { userViewerOf } from '../resolvers/auth/authenticate.js';
import { rememberViewerUser, sameViewerUser } from '../resolvers/auth/recent-viewers.js';
import { DomainError } from '../resolvers/errors.js';
import type { ReadingUser, UserWithSectors } from '../db/types.js';
import { refusedTokenError } from './builder.js';
import type { Context } from './context.js';

// A request over HTTP may start from a recent read of its user (resolvers/auth/recent-viewers.ts). Before
// an operation runs, that read is confirmed by a fresh one, unless every root field confirms it in its own
// statement (readConfirmingViewer): then the answer stands only if the user read there is the same.

/** Root fields whose reads carry the user's row themselves (a console's hot reads). */
const fieldsConfirmingTheViewer = new Set(['ticket', 'tickets', 'ticketCounts', '__typename']);

function confirmsItself(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  return (
    operation?.operation === 'query' &&
    operation.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD && fieldsConfirmingTheViewer.has(selection.name.value))
  );
}

/** The context as the user now is: the same viewer when nothing that matters changed, else rebuilt or refused. */
function settleViewer(context: Context, user: UserWithSectors | null): void {
  const pending = context.viewerToConfirm;
  if (!pending) return;
  context.viewerToConfirm = null;
  rememberViewerUser(context.services, pending.user.id, user);
  if (sameViewerUser(user, pending.user)) return;
  try {
    context.viewer = userViewerOf(user, pending.expiresAt, pending.sessionId);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    context.viewer = null;
    context.authError = error;
  }
}

async function confirmViewer(context: Context): Promise<void> {
  const pending = context.viewerToConfirm;
  if (pending) settleViewer(context, await context.services.store.users.withSectors(pending.user.id));
}

/** Confirms a recent read of the user before an operation that does not confirm it itself. */
export function useViewerConfirmation(): Plugin {
  return {
    onExecute: async ({ args }) => {
      const context = args.contextValue as unknown as Context;
      if (context.viewerToConfirm && !confirmsItself(args.document, args.operationName)) await confirmViewer(context);
    },
    onSubscribe: async ({ args }) => {
      await confirmViewer(args.contextValue as unknown as Context);
    },
  };
}

/**
 * A read that confirms the viewer in its own statement: `readingUser(userId)` reads beside its answer the
 * user the viewer came from. When that user changed, the viewer is rebuilt (or the request refused, as a
 * scoped field would refuse it) and `read` answers as the user now is. A read that fails before reading
 * the user (a bad argument) has the viewer confirmed on its own first, so a refused user hears the refusal.
 */
export async function readConfirmingViewer<T>(
  context: Context,
  readingUser: (userId: number) => Promise<ReadingUser<T>>,
  read: () => Promise<T>,
): Promise<T> {
  const pending = context.viewerToConfirm;
  if (!pending) return read();
  let outcome: { answer: T } | { error: unknown };
  let user: UserWithSectors | null;
  try {
    const withUser = await readingUser(pending.user.id);
    outcome = { answer: withUser.answer };
    user = withUser.user;
  } catch (error) {
    outcome = { error };
    user = await context.services.store.users.withSectors(pending.user.id);
  }
  // Another field of the operation may have settled it meanwhile: this answer still needs its own user to agree.
  const unchanged = sameViewerUser(user, pending.user);
  settleViewer(context, user);
  if (unchanged) {
    if ('error' in outcome) throw outcome.error;
    return outcome.answer;
  }
  if (!context.viewer) throw refusedTokenError(context.authError!);
  return read();
}
