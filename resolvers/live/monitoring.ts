import { Repeater, SlidingBuffer } from 'graphql-yoga';
import type { MonitorScope } from '../../db/types.js';
import type { DomainEvent } from '../events.js';
import { monitoringPanel, type MonitoringPanel } from '../monitoring.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { coalesced } from './coalesce.js';
import type { LiveFanOut, RoutedCommits } from './fan-out.js';

const movesAFigure = (event: DomainEvent) =>
  event.type.startsWith('ticket.') || event.type === 'message.created' || event.type === 'user.statusChanged' || event.type === 'membership.changed';

interface Watcher {
  push(panel: MonitoringPanel): void;
  fail(error: unknown): void;
}

/** One (account, scope)'s panel: recomputed once per push, after commits that may move a figure, for every manager watching it. */
class SharedPanel {
  readonly watchers = new Set<Watcher>();
  private reads: Promise<unknown> = Promise.resolve();
  private readonly commits: RoutedCommits;

  constructor(
    private readonly services: Services,
    private readonly scope: MonitorScope,
    fanOut: LiveFanOut,
    intervalMs: number,
    private readonly computed: () => void,
    private readonly idle: () => void,
  ) {
    // Any commit may move a figure of the panel (agents' statuses carry no sector): the panel judges them all.
    this.commits = fanOut.commitsFor(scope.accountId, { stream: 'monitoringChanged', keys: () => ['*'], viewerId: null });
    void this.run(intervalMs);
  }

  /** Reads one panel and hands it to `deliver`; reads run one after another, so every watcher gets them in the order they were read. */
  read(deliver: (panel: MonitoringPanel) => void): Promise<void> {
    const done = this.reads.then(async () => {
      this.computed();
      deliver(await monitoringPanel(this.services, this.scope));
    });
    this.reads = done.catch(() => undefined);
    return done;
  }

  private async run(intervalMs: number): Promise<void> {
    const judge = async (commit: DomainEvent[]) => (commit.some(movesAFigure) ? ('relevant' as const) : ('skip' as const));
    const push = (panel: MonitoringPanel) => {
      for (const watcher of this.watchers) watcher.push(panel);
    };
    try {
      for await (const _ of coalesced(this.commits, intervalMs, judge, () => this.read(push), false));
    } catch (error) {
      for (const watcher of this.watchers) watcher.fail(error);
    }
  }

  leave(watcher: Watcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size > 0) return;
    this.commits.end();
    this.idle();
  }
}

/** The panels being watched on this instance, one per (account, scope), shared by every manager watching it. */
export class SharedPanels {
  private readonly panels = new Map<string, SharedPanel>();
  private computedCount = 0;

  constructor(private readonly fanOut: LiveFanOut) {}

  /** Panels computed since start (a manager's first panel, then one per push per shared panel): /metrics shows it. */
  get computed(): number {
    return this.computedCount;
  }

  join(services: Services, scope: MonitorScope, intervalMs: number): SharedPanel {
    const sectors = scope.sectorIds === 'all' ? 'all' : [...scope.sectorIds].sort((a, b) => a - b).join(',');
    const key = `${scope.accountId}|${sectors}|${scope.channelId ?? ''}|${intervalMs}`;
    let panel = this.panels.get(key);
    if (!panel) {
      const created: SharedPanel = new SharedPanel(services, scope, this.fanOut, intervalMs, () => (this.computedCount += 1), () => {
        if (this.panels.get(key) === created) this.panels.delete(key);
      });
      this.panels.set(key, (panel = created));
    }
    return panel;
  }
}

/**
 * The panel now (read for me), then the shared panel after commits that may move a figure, at most once
 * per `intervalMs` (trailing); ends when my token expires. A slow reader gets only the latest panel.
 */
export function monitoringFor(services: Services, viewer: UserViewer, scope: MonitorScope, panels: SharedPanels, intervalMs = 1000): AsyncIterable<MonitoringPanel> {
  return new Repeater<MonitoringPanel>(async (push, stop) => {
    const panel = panels.join(services, scope, intervalMs);
    const watcher: Watcher = { push: (value) => void push(value), fail: (error) => stop(error) };
    panel.watchers.add(watcher);
    const remaining = viewer.expiresAt * 1000 - services.clock.now().getTime();
    const expiry = setTimeout(() => stop(), Math.max(0, Math.min(remaining, 2 ** 31 - 1)));
    panel.read(watcher.push).catch((error: unknown) => stop(error));
    await stop;
    clearTimeout(expiry);
    panel.leave(watcher);
  }, new SlidingBuffer(1));
}
