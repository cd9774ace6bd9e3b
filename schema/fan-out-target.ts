import { randomUUID } from 'node:crypto';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
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
 * event of their own instance; what other instances committed meanwhile is the resume cursor's to recover.
 */
export function crossInstanceTarget(redis: RedisConnection): EventTarget {
  const instanceId = randomUUID();
  // The Redis target calls these without awaiting: a failure (Redis away, or closing) must not become an
  // unhandled rejection; the connection's state change already reports the outage.
  // Topics become channels under the deployment's prefix, so deployments sharing one Redis never hear each other.
  const channelOf = (topic: string) => `${redis.prefix}:${topic}`;
  const topicOf = (channel: string) => channel.slice(redis.prefix.length + 1);
  const publishClient = { publish: (topic: string, message: string) => redis.commands.publish(channelOf(topic), message).catch(() => 0) };
  const subscribeClient = {
    on: (event: 'message', listener: (topic: string, message: string) => void) =>
      redis.subscriber.on(event, (channel: string, message: string) => {
        if (channel.startsWith(`${redis.prefix}:`)) listener(topicOf(channel), message);
      }),
    subscribe: (topic: string) => redis.subscriber.subscribe(channelOf(topic)).catch(() => 0),
    unsubscribe: (topic: string) => redis.subscriber.unsubscribe(channelOf(topic)).catch(() => 0),
  };
  const remote = createRedisEventTarget({
    publishClient: publishClient as unknown as Redis,
    subscribeClient: subscribeClient as unknown as Redis,
    serializer: dateKeepingJson,
  });
  return new CrossInstanceTarget(instanceId, remote, redis.available);
}

/** This instance's listeners live on the EventTarget itself; Redis is subscribed to a topic while it has any. */
class CrossInstanceTarget extends EventTarget {
  private readonly listenersByTopic = new Map<string, Set<EventListenerOrEventListenerObject>>();

  constructor(
    private readonly instanceId: string,
    private readonly remote: ReturnType<typeof createRedisEventTarget>,
    private readonly connected: () => boolean,
  ) {
    super();
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
    // Only while connected: nothing queues a stale message to be replayed after an outage.
    if (this.connected()) this.remote.dispatchEvent(new CustomEvent(event.type, { detail: { origin: this.instanceId, detail } satisfies Envelope }));
    return true;
  }
}
