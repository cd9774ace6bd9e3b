import { randomUUID } from 'node:crypto';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
import { isCommitTopic } from './commit-order.js';
import type { RedisConnection } from './redis-connection.js';

/** JSON that keeps Dates (DomainEvent.occurredAt) as Dates: a Date travels as `{ "$date": <epoch ms> }`. */
export const dateKeepingJson = {
  stringify(value: unknown): string {
    return JSON.stringify(value, function (this: Record<string, unknown>, key, plain: unknown) {
      const raw = this[key];
      return raw instanceof Date ? { $date: raw.getTime() } : plain;
    });
  },
  parse(text: string): unknown {
    return JSON.parse(text, (_key, value: unknown) => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const fields = Object.keys(value);
        const epoch = (value as { $date?: unknown }).$date;
        if (fields.length === 1 && typeof epoch === 'number') return new Date(epoch);
      }
      return value;
    });
  },
};

type Envelope = { origin: string; detail: unknown };

/**
 * The pub/sub's event target across instances. An event is delivered to this instance's listeners at once,
 * as without Redis, and published to Redis tagged with this instance's id; what comes back from Redis is
 * delivered here only when another instance sent it. So while Redis is away, subscribers still get every
 * event of their own instance. An account's commits that did not reach Redis are owed: the last of each
 * account is sent once Redis is back, and an instance that missed it (its own link up all along, so it was
 * reading nothing from the outbox) then reads what it lacks from the outbox.
 */
export function crossInstanceTarget(redis: RedisConnection): EventTarget {
  const instanceId = randomUUID();
  // Topics become channels under the deployment's prefix, so deployments sharing one Redis never hear each other.
  const channelOf = (topic: string) => `${redis.prefix}:${topic}`;
  const topicOf = (channel: string) => channel.slice(redis.prefix.length + 1);
  const publish = (topic: string, envelope: Envelope) => redis.commands.publish(channelOf(topic), dateKeepingJson.stringify(envelope));
  // The Redis target calls these without awaiting: a failure (Redis away, or closing) must not become an
  // unhandled rejection; the connection's state change already reports the outage.
  const subscribeClient = {
    on: (event: 'message', listener: (topic: string, message: string) => void) =>
      redis.subscriber.on(event, (channel: string, message: string) => {
        if (channel.startsWith(`${redis.prefix}:`)) listener(topicOf(channel), message);
      }),
    subscribe: (topic: string) => redis.subscriber.subscribe(channelOf(topic)).catch(() => 0),
    unsubscribe: (topic: string) => redis.subscriber.unsubscribe(channelOf(topic)).catch(() => 0),
  };
  // Only the subscribing half is the Redis target's: publishing is this target's own, to know what failed.
  const remote = createRedisEventTarget({
    publishClient: {} as Redis,
    subscribeClient: subscribeClient as unknown as Redis,
    serializer: dateKeepingJson,
  });
  const target = new CrossInstanceTarget(instanceId, remote, redis.available, publish);
  redis.onBack(() => target.sendOwed());
  return target;
}

/** This instance's listeners live on the EventTarget itself; Redis is subscribed to a topic while it has any. */
class CrossInstanceTarget extends EventTarget {
  private readonly listenersByTopic = new Map<string, Set<EventListenerOrEventListenerObject>>();

  /** The last commit of each account that did not reach Redis, by topic. */
  private readonly owed = new Map<string, Envelope>();

  constructor(
    private readonly instanceId: string,
    private readonly remote: ReturnType<typeof createRedisEventTarget>,
    private readonly connected: () => boolean,
    private readonly publish: (topic: string, envelope: Envelope) => Promise<unknown>,
  ) {
    super();
  }

  /** Sends what is owed, once: instances that missed those commits read them (and any before) from the outbox. */
  sendOwed(): void {
    const owed = [...this.owed];
    this.owed.clear();
    for (const [topic, envelope] of owed) this.send(topic, envelope);
  }

  private send(topic: string, envelope: Envelope): void {
    if (!this.connected()) return this.owe(topic, envelope);
    this.publish(topic, envelope).catch(() => this.owe(topic, envelope));
  }

  // Commits only: receivers deliver each commit once, so a late one costs nothing; a late presence lease would be stale.
  private owe(topic: string, envelope: Envelope): void {
    if (isCommitTopic(topic)) this.owed.set(topic, envelope);
  }

  private readonly fromOtherInstances = (event: Event) => {
    const { origin, detail } = (event as CustomEvent<Envelope>).detail;
    if (origin !== this.instanceId) super.dispatchEvent(new CustomEvent(event.type, { detail }));
  };

  override addEventListener(topic: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    super.addEventListener(topic, listener, options);
    if (!listener) return;
    let listeners = this.listenersByTopic.get(topic);
    if (!listeners) {
      this.listenersByTopic.set(topic, (listeners = new Set()));
      this.remote.addEventListener(topic, this.fromOtherInstances);
    }
    listeners.add(listener);
  }

  override removeEventListener(topic: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    super.removeEventListener(topic, listener, options);
    const listeners = this.listenersByTopic.get(topic);
    if (!listener || !listeners?.delete(listener) || listeners.size > 0) return;
    this.listenersByTopic.delete(topic);
    this.remote.removeEventListener(topic, this.fromOtherInstances);
  }

  override dispatchEvent(event: Event): boolean {
    const detail = (event as CustomEvent).detail as unknown;
    super.dispatchEvent(event);
    this.send(event.type, { origin: this.instanceId, detail });
    return true;
  }
}
