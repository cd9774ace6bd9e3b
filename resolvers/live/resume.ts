import { decodeCursor, encodeCursor } from '../connections.js';
import { BadUserInputError, CursorExpiredError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';

// A stream cursor is the outbox id of the last event of a commit, in the connections' one codec ("<id>").

const replayBatch = 200;

export const streamCursorOf = (eventId: number): string => encodeCursor(eventId);

/**
 * Messages' cursors, in one read: the outbox id of its message.created event. A message older than what the outbox
 * keeps gets a cursor of nothing kept, which resuming answers with CURSOR_EXPIRED (refetch instead).
 */
export async function messageCursorsOf(services: Services, accountId: number, messageIds: readonly number[]): Promise<string[]> {
  const eventIds = await services.store.outbox.eventIdsOfMessages(accountId, messageIds);
  return messageIds.map((id) => streamCursorOf(eventIds.get(id) ?? 0));
}

/** The commit's place in the committed-event order: its last event's outbox id. */
export const lastEventIdOf = (commit: readonly DomainEvent[]): number => commit.at(-1)?.id ?? 0;

/**
 * The outbox id to replay after, or undefined without `after`. Malformed or never issued: BAD_USER_INPUT;
 * its event pruned (older than OUTBOX_RETENTION_DAYS): CURSOR_EXPIRED, since events after it may be gone too.
 */
export async function resumePointOf(services: Services, after: string | null | undefined): Promise<number | undefined> {
  const eventId = decodeCursor(after, 1, 'after')?.[0];
  if (eventId === undefined) return undefined;
  if (await services.store.outbox.keeps(eventId)) return eventId;
  if (eventId > (await services.store.outbox.issuedThrough())) throw new BadUserInputError('after', 'Not a cursor from this stream');
  throw new CursorExpiredError();
}

/** What the outbox says of an account's commits: the record the live streams fall back on. */
export interface CommitRecord {
  /** The account's newest event id (0 for none). */
  latestOf(accountId: number): Promise<number>;
  /** The account's commits the outbox keeps after `eventId`, oldest first, each whole. */
  after(accountId: number, eventId: number): AsyncIterable<DomainEvent[]>;
}

export const commitRecordOf = (services: Pick<Services, 'store'>): CommitRecord => ({
  latestOf: (accountId) => services.store.outbox.latestOfAccount(accountId),
  after: (accountId, eventId) => keptCommitsAfter(services, accountId, eventId),
});

/** The account's commits the outbox keeps after `afterEventId`, oldest first, each whole. */
export async function* keptCommitsAfter(services: Pick<Services, 'store'>, accountId: number, afterEventId: number): AsyncGenerator<DomainEvent[]> {
  // Events of one transaction share a commitId: replayed together, the live view shows their net effect once.
  let commit: DomainEvent[] = [];
  let commitId: number | null = null;
  let read = afterEventId;
  for (;;) {
    const missed = await services.store.outbox.ofAccountAfter(accountId, read, replayBatch);
    for (const { commitId: of, ...event } of missed) {
      if (of !== commitId && commit.length > 0) yield commit;
      if (of !== commitId) commit = [];
      commitId = of;
      commit.push(event as DomainEvent);
    }
    if (missed.length > 0) read = missed.at(-1)!.id;
    if (missed.length < replayBatch) break;
  }
  if (commit.length > 0) yield commit;
}

/**
 * The account's commits from `afterEventId` on: `listening` already listens (listenNow) before the replay
 * of what the outbox kept since (commit by commit, oldest first); then the live commits not replayed,
 * so nothing is missed or repeated.
 */
export async function* commitsResumed(
  services: Services,
  accountId: number,
  afterEventId: number | undefined,
  listeningNow: AsyncIterable<DomainEvent[]>,
): AsyncGenerator<DomainEvent[]> {
  const listening = listeningNow[Symbol.asyncIterator]();
  try {
    let replayed = afterEventId ?? 0;
    if (afterEventId !== undefined) {
      for await (const commit of keptCommitsAfter(services, accountId, afterEventId)) {
        replayed = lastEventIdOf(commit);
        yield commit;
      }
    }
    for (;;) {
      const next = await listening.next();
      if (next.done) return;
      if (lastEventIdOf(next.value) > replayed) yield next.value;
    }
  } finally {
    await listening.return?.();
  }
}
