export type PresenceState = 'VIEWING' | 'TYPING';

/**
 * One agent's lease on a ticket, as published on the pub/sub. The message carries its own expiry
 * (wall-clock ms), so every instance hearing it keeps the same lease without asking anyone.
 */
export interface PresenceSignal {
  accountId: number;
  ticketId: number;
  userId: number;
  state: PresenceState;
  expiresAt: number;
}

export interface PresenceEntry {
  userId: number;
  state: PresenceState;
  expiresAt: Date;
}

type Lease = { state: PresenceState; expiresAt: number; timer: NodeJS.Timeout };

/**
 * Who is on which ticket, rebuilt on each instance from the presence signals of the pub/sub (never
 * from a local call), and forgotten when a lease runs out. Leases are wall-clock time: they must
 * expire even while the domain clock is held still.
 */
export class PresenceBoard {
  private readonly leases = new Map<string, Map<number, Lease>>();
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    /** How long one setTicketPresence holds; the console renews before it runs out. */
    readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  apply(signal: PresenceSignal): void {
    const key = keyOf(signal.accountId, signal.ticketId);
    const left = signal.expiresAt - this.now();
    if (left <= 0) return;
    let ticket = this.leases.get(key);
    if (!ticket) this.leases.set(key, (ticket = new Map()));
    const before = ticket.get(signal.userId);
    if (before) clearTimeout(before.timer);
    const timer = setTimeout(() => this.expire(key, signal.userId, signal.expiresAt), left);
    timer.unref();
    ticket.set(signal.userId, { state: signal.state, expiresAt: signal.expiresAt, timer });
    // A renewal in the same state changes nobody's picture: only arrivals and state changes are pushed.
    if (before?.state !== signal.state) this.notify(key);
  }

  entriesOf(accountId: number, ticketId: number): PresenceEntry[] {
    const ticket = this.leases.get(keyOf(accountId, ticketId));
    if (!ticket) return [];
    return [...ticket].map(([userId, lease]) => ({ userId, state: lease.state, expiresAt: new Date(lease.expiresAt) })).sort((a, b) => a.userId - b.userId);
  }

  /** Calls `onChange` after each change of the ticket's presence; returns the way to stop. */
  watch(accountId: number, ticketId: number, onChange: () => void): () => void {
    const key = keyOf(accountId, ticketId);
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Set()));
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (set.size === 0) this.watchers.delete(key);
    };
  }

  stop(): void {
    for (const ticket of this.leases.values()) for (const lease of ticket.values()) clearTimeout(lease.timer);
    this.leases.clear();
    this.watchers.clear();
  }

  private expire(key: string, userId: number, expiresAt: number): void {
    const ticket = this.leases.get(key);
    if (ticket?.get(userId)?.expiresAt !== expiresAt) return; // renewed meanwhile
    ticket.delete(userId);
    if (ticket.size === 0) this.leases.delete(key);
    this.notify(key);
  }

  private notify(key: string): void {
    for (const onChange of this.watchers.get(key) ?? []) onChange();
  }
}

function keyOf(accountId: number, ticketId: number): string {
  return `${accountId}:${ticketId}`;
}
