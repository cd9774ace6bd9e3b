import type { DomainEvent } from '../events.js';
import { ticketKeysOf } from '../visibility.js';
import { viewerChangedBy } from './live-viewer.js';
import { SharedPanels } from './monitoring.js';
import { placementsOf } from './ticket-events.js';

// Each instance hands a committed transaction only to the subscriptions it may concern, found through
// an index of what each one could be entitled to (visibility.ts's reachOf: sectors, assignee,
// potentials, the whole account for an ADMIN). The index only narrows who is asked: every subscription
// handed a commit still judges it with the one rule, as before.

export type LiveStream = 'ticketEvents' | 'ticketCountsChanged' | 'messageAdded' | 'ticketPresence' | 'notificationAdded' | 'monitoringChanged';

/** Every commit of the account (a monitoring panel's figures move with any of them). */
export const everyCommit: readonly string[] = ['*'];

export interface Interest {
  stream: LiveStream;
  /**
   * The keys of the commits it must judge (commitKeysOf's vocabulary). Read again at each pull; a new
   * array re-indexes, so return the same one while nothing changed.
   */
  keys(): readonly string[];
  /**
   * The user whose membership, role and active state it follows: a commit changing them always reaches it,
   * and so does every later commit until it has judged that one (its keys are stale until then).
   */
  viewerId: number | null;
}

/** The keys a commit is found by: each placement of each ticket it moves, the ticket, and the users it is about. */
export function commitKeysOf(commit: readonly DomainEvent[]): Set<string> {
  const keys = new Set<string>();
  for (const event of commit) {
    const change = placementsOf(event);
    if (change) {
      keys.add(`ticket:${change.ticketId}`);
      for (const placement of [change.before, change.after]) if (placement) for (const key of ticketKeysOf(placement)) keys.add(key);
    }
    const userId = (event.payload as { userId?: unknown }).userId;
    if (typeof userId === 'number') keys.add(`user:${userId}`);
  }
  return keys;
}

/** One subscription's commits: an async iterable whose `end()` settles a pending pull as done at once. */
export interface RoutedCommits extends AsyncIterable<DomainEvent[]> {
  end(): void;
}

// A subscriber whose socket stopped reading has its subscription ended past this many pending commits
// (what was queued is still handed over first), as schema/pubsub.ts's stream does.
const pendingLimit = 1024;

class Route implements AsyncIterator<DomainEvent[]> {
  keys: readonly string[] = [];
  /** Handed every commit until it has judged the one numbered `wideThrough` (a change of its viewer). */
  widened = false;
  wideThrough = 0;
  private handedThrough = 0;
  private readonly queue: { seq: number; commit: DomainEvent[] }[] = [];
  private waiting: ((result: IteratorResult<DomainEvent[]>) => void) | null = null;
  private state: 'new' | 'open' | 'closing' | 'done' = 'new';

  constructor(
    readonly interest: Interest,
    private readonly attach: (route: Route) => RouteOwner,
  ) {}

  private owner: RouteOwner | null = null;

  /** Called by the account's routes, in commit order. */
  deliver(seq: number, commit: DomainEvent[]): void {
    if (this.state !== 'open') return;
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = null;
      this.handedThrough = seq;
      wake({ done: false, value: commit });
      return;
    }
    this.queue.push({ seq, commit });
    if (this.queue.length >= pendingLimit) this.close();
  }

  /** No more commits: what is queued is still handed over, then done. */
  close(): void {
    if (this.state === 'done' || this.state === 'closing') return;
    this.owner?.detach(this);
    this.owner = null;
    this.state = 'closing';
    if (this.queue.length === 0) this.finish();
  }

  private finish(): void {
    this.state = 'done';
    this.queue.length = 0;
    const wake = this.waiting;
    this.waiting = null;
    wake?.({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<DomainEvent[]>> {
    if (this.state === 'new') {
      this.state = 'open';
      this.owner = this.attach(this);
    } else if (this.state === 'open') {
      // The consumer judged everything handed so far: its viewer's changes are applied to its keys.
      this.owner!.refresh(this, this.handedThrough);
    }
    const queued = this.queue.shift();
    if (queued) {
      this.handedThrough = queued.seq;
      if (this.state === 'closing' && this.queue.length === 0) this.state = 'done';
      return Promise.resolve({ done: false, value: queued.commit });
    }
    if (this.state === 'done' || this.state === 'closing') {
      this.state = 'done';
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<DomainEvent[]>> {
    this.owner?.detach(this);
    this.owner = null;
    this.finish();
    return Promise.resolve({ done: true, value: undefined });
  }
}

interface RouteOwner {
  detach(route: Route): void;
  refresh(route: Route, judgedThrough: number): void;
}

/** The subscriptions of one account on this instance, indexed by key, fed by one listener of its commits. */
class AccountRoutes implements RouteOwner {
  private readonly byKey = new Map<string, Set<Route>>();
  private readonly byViewer = new Map<number, Set<Route>>();
  /** Routes handed every commit: '*' interests and routes whose viewer changed and is not yet judged again. */
  private readonly everything = new Set<Route>();
  private seq = 0;
  private size = 0;
  private readonly source: AsyncIterator<DomainEvent[]>;

  constructor(
    source: AsyncIterable<DomainEvent[]>,
    private readonly judged: (stream: LiveStream, count: number) => void,
    private readonly emptied: () => void,
  ) {
    this.source = source[Symbol.asyncIterator]();
    void this.pump();
  }

  /** The first pull starts listening at once (synchronously), so a route attached now misses nothing after. */
  private async pump(): Promise<void> {
    try {
      for (let next = await this.source.next(); !next.done; next = await this.source.next()) this.route(next.value);
    } finally {
      for (const route of this.all()) route.close();
    }
  }

  private all(): Set<Route> {
    const routes = new Set(this.everything);
    for (const set of this.byKey.values()) for (const route of set) routes.add(route);
    for (const set of this.byViewer.values()) for (const route of set) routes.add(route);
    return routes;
  }

  private route(commit: DomainEvent[]): void {
    const seq = ++this.seq;
    const to = new Set(this.everything);
    for (const key of commitKeysOf(commit)) for (const route of this.byKey.get(key) ?? []) to.add(route);
    for (const event of commit) {
      const userId = viewerChangedBy(event);
      if (userId === null) continue;
      for (const route of this.byViewer.get(userId) ?? []) {
        to.add(route);
        route.widened = true;
        route.wideThrough = seq;
        this.everything.add(route);
      }
    }
    const counts = new Map<LiveStream, number>();
    for (const route of to) {
      counts.set(route.interest.stream, (counts.get(route.interest.stream) ?? 0) + 1);
      route.deliver(seq, commit);
    }
    for (const [stream, count] of counts) this.judged(stream, count);
  }

  attach(route: Route): void {
    this.size += 1;
    const viewerId = route.interest.viewerId;
    if (viewerId !== null) {
      let routes = this.byViewer.get(viewerId);
      if (!routes) this.byViewer.set(viewerId, (routes = new Set()));
      routes.add(route);
    }
    this.index(route, route.interest.keys());
  }

  refresh(route: Route, judgedThrough: number): void {
    const keys = route.interest.keys();
    if (keys !== route.keys) {
      this.unindex(route);
      this.index(route, keys);
    }
    if (route.widened && judgedThrough >= route.wideThrough) {
      route.widened = false;
      if (!route.keys.includes('*')) this.everything.delete(route);
    }
  }

  private index(route: Route, keys: readonly string[]): void {
    route.keys = keys;
    if (keys.includes('*')) {
      this.everything.add(route);
      return;
    }
    for (const key of keys) {
      let routes = this.byKey.get(key);
      if (!routes) this.byKey.set(key, (routes = new Set()));
      routes.add(route);
    }
  }

  private unindex(route: Route): void {
    if (!route.widened) this.everything.delete(route);
    for (const key of route.keys) {
      const routes = this.byKey.get(key);
      routes?.delete(route);
      if (routes?.size === 0) this.byKey.delete(key);
    }
  }

  detach(route: Route): void {
    this.unindex(route);
    this.everything.delete(route);
    const viewerId = route.interest.viewerId;
    const routes = viewerId === null ? undefined : this.byViewer.get(viewerId);
    routes?.delete(route);
    if (routes?.size === 0) this.byViewer.delete(viewerId!);
    this.size -= 1;
    if (this.size === 0) {
      this.emptied();
      void this.source.return?.();
    }
  }
}

/** The live subscriptions of this instance, by account, each handed only the commits it may be entitled to hear of. */
export class LiveFanOut {
  private readonly accounts = new Map<number, AccountRoutes>();
  private readonly judgedCounts = new Map<LiveStream, number>();
  /** Monitoring panels being watched, one per (account, scope). */
  readonly panels = new SharedPanels(this);

  constructor(private readonly accountCommits: (accountId: number) => AsyncIterable<DomainEvent[]>) {}

  /** Commits handed to a subscription to judge, by stream, since start: what the index saves shows here (/metrics). */
  judged(): ReadonlyMap<LiveStream, number> {
    return this.judgedCounts;
  }

  /** The account's commits this interest may concern, in commit order; nothing is listened to before the first pull. */
  commitsFor(accountId: number, interest: Interest): RoutedCommits {
    const route = new Route(interest, (attached) => {
      let routes = this.accounts.get(accountId);
      if (!routes) {
        const created: AccountRoutes = new AccountRoutes(
          this.accountCommits(accountId),
          (stream, count) => this.judgedCounts.set(stream, (this.judgedCounts.get(stream) ?? 0) + count),
          () => {
            if (this.accounts.get(accountId) === created) this.accounts.delete(accountId);
          },
        );
        this.accounts.set(accountId, (routes = created));
      }
      routes.attach(attached);
      return routes;
    });
    return {
      [Symbol.asyncIterator]: () => route,
      end: () => void route.return(),
    };
  }
}

/**
 * `stream`, except that returning it ends `commits` first: a generator awaiting its next commit would
 * otherwise take the return only once one came, which for a narrow interest may be long.
 */
export function endingWith<T>(stream: AsyncGenerator<T>, commits: RoutedCommits): AsyncGenerator<T> {
  return {
    next: (...args) => stream.next(...args),
    return: (value) => {
      commits.end();
      return stream.return(value);
    },
    throw: (error) => {
      commits.end();
      return stream.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncGenerator<T>;
}
