import type { DomainEvent } from '../events.js';

export type CommitVerdict = 'skip' | 'relevant' | 'end';

/**
 * A live value: `read()` now (unless `initial` is false: a shared value whose watchers each read their
 * own first), then once more after each burst of relevant commits, never more often than every
 * `intervalMs` of real time. Commits arriving while it waits are absorbed into that one
 * push (trailing edge, so the last value sent is current).
 */
export async function* coalesced<T>(
  commits: AsyncIterable<DomainEvent[]>,
  intervalMs: number,
  judge: (commit: DomainEvent[]) => Promise<CommitVerdict>,
  read: () => Promise<T>,
  initial = true,
): AsyncGenerator<T> {
  if (initial) yield await read();
  const iterator = commits[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<DomainEvent[]>> | null = null;
  let lastSentAt = Date.now();
  try {
    for (;;) {
      const next = await (pending ?? iterator.next());
      pending = null;
      if (next.done) return;
      const verdict = await judge(next.value);
      if (verdict === 'end') return;
      if (verdict === 'skip') continue;
      const deadline = lastSentAt + intervalMs;
      for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
        // Each next() is raced at most once (a lost race ends the wait; it is then awaited alone), so
        // no reaction piles up on a promise that stays pending while the account is quiet.
        pending ??= iterator.next();
        let timer: NodeJS.Timeout | undefined;
        const arrived = await Promise.race([pending, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), left)))]);
        clearTimeout(timer);
        if (arrived === null) break;
        pending = null;
        if (arrived.done || (await judge(arrived.value)) === 'end') return;
      }
      yield await read();
      lastSentAt = Date.now();
    }
  } finally {
    await iterator.return?.();
  }
}
