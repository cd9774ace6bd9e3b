import { Repeater } from 'graphql-yoga';
import type { DomainEvent } from '../resolvers/events.js';
import type { CommitRecord } from '../resolvers/live/resume.js';

/** One account's share of a committed transaction as it travels: its events, and the account's event before them. */
export interface AccountCommit {
  /** The id of the account's last event before this commit (0 for none): the commit to deliver first. */
  precededBy: number;
  events: DomainEvent[];
}

export interface CommitOrderOptions {
  /** How long a commit waits for its predecessor to arrive before that is read from the outbox. */
  holdMs: number;
  /** While the bell is broken (Redis away), how often each listened account is read from the outbox. */
  pollMs: number;
  /** True while messages from other instances may be lost (Redis away); never for one instance alone. */
  away(): boolean;
  /** After `away` ends, how long reading goes on: messages sent while this instance resubscribed are lost too. */
  graceMs: number;
  reportError(error: unknown): void;
}

/** The event-target topic of an account's commits, as the pub/sub names `publish('account-commits', accountId)`. */
export const commitTopicOf = (accountId: number): string => `account-commits:${accountId}`;

export const isCommitTopic = (topic: string): boolean => topic.startsWith('account-commits:');

const lastEventIdOf = (commit: readonly DomainEvent[]): number => commit.at(-1)?.id ?? 0;

/**
 * Each account's commits in commit order, each once, on this instance. Commits arrive in another order
 * (an instance hears its own at once and others' through Redis) or not at all (Redis away), so a commit
 * whose predecessor has not been delivered waits; if the predecessor does not come within `holdMs`, the
 * outbox is read from the last delivered commit on. A console's newest cursor is then always safe to
 * resume from, and a Redis outage costs latency, not events.
 */
export class CommitOrder {
  private readonly accounts = new Map<number, AccountSequence>();
  private readonly poller: NodeJS.Timeout;
  private readingUntil = 0;
  /** Commits delivered from the outbox because no message brought them in time. */
  recovered = 0;

  constructor(
    private readonly target: EventTarget,
    private readonly record: CommitRecord,
    private readonly options: CommitOrderOptions,
  ) {
    this.poller = setInterval(() => this.pollWhileAway(), options.pollMs).unref();
  }

  /** The account's commits from now on, in order; the first listener of an account starts its sequence. */
  of(accountId: number): AsyncIterable<DomainEvent[]> {
    return new Repeater<DomainEvent[]>((push, stop) => {
      let sequence = this.accounts.get(accountId);
      if (!sequence) this.accounts.set(accountId, (sequence = new AccountSequence(accountId, this.target, this.record, this.options, (count) => (this.recovered += count))));
      // A subscriber whose socket stopped reading has its Repeater refuse a 1,025th pending commit by throwing: it ends instead.
      const listener = (commit: DomainEvent[]) => {
        try {
          void push(commit);
        } catch {
          stop();
        }
      };
      const listening = sequence;
      listening.listeners.add(listener);
      void stop.then(() => {
        listening.listeners.delete(listener);
        if (listening.listeners.size > 0) return;
        listening.stop();
        if (this.accounts.get(accountId) === listening) this.accounts.delete(accountId);
      });
    });
  }

  stop(): void {
    clearInterval(this.poller);
    for (const sequence of this.accounts.values()) sequence.stop();
    this.accounts.clear();
  }

  private pollWhileAway(): void {
    const now = Date.now();
    if (this.options.away()) this.readingUntil = now + this.options.graceMs;
    if (now >= this.readingUntil) return;
    for (const sequence of this.accounts.values()) sequence.readRecord();
  }
}

class AccountSequence {
  readonly listeners = new Set<(commit: DomainEvent[]) => void>();
  /**
   * Where the account stood when the sequence started (null until the outbox said): commits up to it are
   * handed over as they arrive, since nothing is owed before them; those after it, in order, each once.
   */
  private startedAfter: number | null = null;
  private deliveredThrough = 0;
  private readonly arrivedFirst: AccountCommit[] = [];
  /** Arrived before their predecessor, by the id of that predecessor. */
  private readonly held = new Map<number, DomainEvent[]>();
  private holdTimer: NodeJS.Timeout | null = null;
  private reading = false;
  private stopped = false;
  private readonly topic: string;

  constructor(
    private readonly accountId: number,
    private readonly target: EventTarget,
    private readonly record: CommitRecord,
    private readonly options: CommitOrderOptions,
    private readonly noteRecovered: (count: number) => void,
  ) {
    this.topic = commitTopicOf(accountId);
    // Listening at once, as the stream's consumers expect; what arrives before the outbox answers waits for it.
    target.addEventListener(this.topic, this.arrive);
    this.readStart();
  }

  stop(): void {
    this.stopped = true;
    this.target.removeEventListener(this.topic, this.arrive);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.held.clear();
    this.arrivedFirst.length = 0;
  }

  /** Reads the account's commits after the last delivered one: what no message brought. */
  readRecord(): void {
    if (this.reading || this.stopped || this.startedAfter === null) return;
    this.reading = true;
    void (async () => {
      let count = 0;
      for await (const commit of this.record.after(this.accountId, this.deliveredThrough)) {
        if (this.stopped) return;
        if (lastEventIdOf(commit) <= this.deliveredThrough) continue;
        this.deliver(commit);
        count++;
      }
      this.noteRecovered(count);
    })()
      .catch((error: unknown) => this.options.reportError(error))
      .finally(() => {
        this.reading = false;
        this.deliverHeld();
      });
  }

  private readonly arrive = (event: Event) => {
    this.place((event as CustomEvent<AccountCommit>).detail);
  };

  private place({ precededBy, events }: AccountCommit): void {
    if (events.length === 0) return;
    if (this.startedAfter === null) {
      this.arrivedFirst.push({ precededBy, events });
    } else if (lastEventIdOf(events) <= this.startedAfter) {
      this.handOver(events);
    } else {
      this.held.set(precededBy, events);
      this.deliverHeld();
    }
  }

  private readStart(): void {
    this.record.latestOf(this.accountId).then(
      (eventId) => {
        if (this.stopped) return;
        this.startedAfter = this.deliveredThrough = eventId;
        const arrived = this.arrivedFirst.splice(0).sort((a, b) => lastEventIdOf(a.events) - lastEventIdOf(b.events));
        for (const commit of arrived) this.place(commit);
      },
      (error: unknown) => {
        this.options.reportError(error);
        if (!this.stopped) setTimeout(() => this.readStart(), this.options.holdMs).unref();
      },
    );
  }

  /** Delivers the held commits that continue the sequence; what still waits gets `holdMs` before the outbox is read. */
  private deliverHeld(): void {
    if (this.reading || this.stopped) return;
    for (;;) {
      // Delivered already, by a read of the outbox.
      for (const [precededBy, commit] of this.held) if (lastEventIdOf(commit) <= this.deliveredThrough) this.held.delete(precededBy);
      const next = this.held.get(this.deliveredThrough);
      if (!next) break;
      this.held.delete(this.deliveredThrough);
      this.deliver(next);
    }
    if (this.held.size === 0) {
      if (this.holdTimer) clearTimeout(this.holdTimer);
      this.holdTimer = null;
    } else {
      this.holdTimer ??= setTimeout(() => {
        this.holdTimer = null;
        this.readRecord();
      }, this.options.holdMs).unref();
    }
  }

  private deliver(commit: DomainEvent[]): void {
    this.deliveredThrough = lastEventIdOf(commit);
    this.handOver(commit);
  }

  private handOver(commit: DomainEvent[]): void {
    for (const listener of this.listeners) listener(commit);
  }
}
