import type { TicketScope } from '../../db/types.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { reachOf, ticketScopeOf } from '../visibility.js';

/** The user whose membership, role or active state this event changes, or null. */
export function viewerChangedBy(event: DomainEvent): number | null {
  return event.type === 'membership.changed' || event.type === 'user.updated' ? event.payload.userId : null;
}

/**
 * The viewer of a long-lived subscription, kept current from the same event stream: a membership
 * or role change of this user reloads it before the next event is judged; deactivation ends it.
 */
export class LiveViewer {
  private scopeCache: TicketScope;
  private reachCache: readonly string[] | null = null;

  constructor(
    private readonly services: Services,
    public viewer: UserViewer,
    private readonly onChange: (viewer: UserViewer) => void = () => {},
  ) {
    this.scopeCache = ticketScopeOf(viewer);
  }

  get scope(): TicketScope {
    return this.scopeCache;
  }

  /** The fan-out keys of my scope (visibility.ts's reachOf): the same array until my scope changes. */
  get reach(): readonly string[] {
    return (this.reachCache ??= reachOf(this.scopeCache));
  }

  /** 'ended' once the user is gone or deactivated (the subscription must end); 'changed' after a reload. */
  async follow(event: DomainEvent): Promise<'same' | 'changed' | 'ended'> {
    if (viewerChangedBy(event) !== this.viewer.userId) return 'same';
    const user = await this.services.store.users.withSectors(this.viewer.userId);
    if (!user || !user.active) return 'ended';
    this.viewer = { ...this.viewer, role: user.role, sectorIds: user.sectorIds, canViewUnsectored: user.canViewUnsectored };
    this.scopeCache = ticketScopeOf(this.viewer);
    this.reachCache = null;
    this.onChange(this.viewer);
    return 'changed';
  }
}

/** Starts listening now (the first pull registers the listener), so nothing committed during a check is missed. */
export function listenNow<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<T>> | null = iterator.next();
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const next = first ?? iterator.next();
        first = null;
        return next;
      },
      return: async () => (await iterator.return?.()) ?? { done: true, value: undefined },
    }),
  };
}

/**
 * Ends `source` when the token expires, so an expired token stops delivery without reconnecting.
 * A timer returns the source (a Repeater settles its pending next() as done); each next() is awaited
 * alone, since racing it against one promise pending until expiry kept every commit reachable.
 */
export function untilExpired<T>(source: AsyncIterable<T>, expiresAtSeconds: number, clock: { now(): Date }): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const remaining = expiresAtSeconds * 1000 - clock.now().getTime();
  const timer = setTimeout(() => void iterator.return?.(), Math.max(0, Math.min(remaining, 2 ** 31 - 1)));
  const finished = (): IteratorResult<T> => {
    clearTimeout(timer);
    return { done: true, value: undefined };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const next = await iterator.next();
      return next.done ? finished() : next;
    },
    async return() {
      clearTimeout(timer);
      await iterator.return?.();
      return { done: true, value: undefined };
    },
  };
}
