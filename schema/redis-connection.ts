import type { Logger } from 'pino';

/** What /healthz and /readyz say of Redis: reachable, or away since when. */
export type RedisHealth = { state: 'ok' } | { state: 'unavailable'; since: Date; reason: string };

// Reconnect every 0.2 s at first, then every 2 s at most, forever: an outage ends when Redis is back.
const retryStrategy = (attempt: number): number => Math.min(attempt * 200, 2000);

/**
 * The two clients of REDIS_URL. `commands` publishes and keeps the login throttle; it has no offline queue,
 * so while Redis is away a command fails at once (the throttle falls back to memory, a publish is dropped)
 * instead of being replayed late. `subscriber` waits for the connection to subscribe, and ioredis subscribes
 * it again to every channel after a reconnect. The outage is logged once, and the recovery once.
 * ioredis loads here, so an instance without REDIS_URL does not load it at start-up.
 */
export async function connectRedis(url: string, prefix: string, log: Logger) {
  const { Redis } = await import('ioredis');
  const commands = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, connectionName: 'deskgraph-commands' });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null, retryStrategy, connectionName: 'deskgraph-subscriber' });
  let health: RedisHealth = { state: 'unavailable', since: new Date(), reason: 'connecting' };
  let everReady = false;
  let closing = false;
  const backListeners = new Set<() => void>();

  const available = () => commands.status === 'ready' && subscriber.status === 'ready';
  const judge = (error?: Error) => {
    if (closing) return;
    if (available()) {
      if (health.state === 'ok') return;
      log.info(everReady ? { downSince: health.since.toISOString() } : {}, everReady ? 'Redis is back: events travel between instances again' : 'connected to Redis');
      everReady = true;
      health = { state: 'ok' };
      for (const listener of backListeners) listener();
      return;
    }
    const reason = error?.message ?? 'connection closed';
    // The first failure after being up (or before ever connecting) is logged; retries are not.
    if (health.state === 'ok' || (!everReady && health.reason === 'connecting' && error)) {
      log.warn({ reason }, "Redis is unavailable: each instance's subscribers get only that instance's events until it is back");
      health = { state: 'unavailable', since: health.state === 'ok' ? new Date() : health.since, reason };
    }
  };
  for (const client of [commands, subscriber]) {
    client.on('ready', () => judge());
    client.on('close', () => judge());
    // Without a listener ioredis prints every failed reconnect; the state change is what is worth a line.
    client.on('error', (error: Error) => judge(error));
  }

  return {
    commands,
    subscriber,
    /** REDIS_PREFIX: the start of every channel and key of this deployment (pub/sub ignores the database number). */
    prefix,
    available,
    health: (): RedisHealth => health,
    /** Calls `listener` each time both clients are connected again after an outage (and when they first are). */
    onBack(listener: () => void): () => void {
      backListeners.add(listener);
      return () => backListeners.delete(listener);
    },
    /** Resolves once both clients are connected, or after `timeoutMs` (an instance starts without Redis too). */
    whenConnected(timeoutMs: number): Promise<boolean> {
      if (available()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = () => {
          if (!available()) return;
          clearTimeout(timer);
          commands.off('ready', done);
          subscriber.off('ready', done);
          resolve(true);
        };
        const timer = setTimeout(() => {
          commands.off('ready', done);
          subscriber.off('ready', done);
          resolve(false);
        }, timeoutMs);
        commands.on('ready', done);
        subscriber.on('ready', done);
      });
    },
    /** Both clients closed at once (no QUIT round trip: Redis may be the thing that is down). */
    async close(): Promise<void> {
      closing = true;
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

export type RedisConnection = Awaited<ReturnType<typeof connectRedis>>;
