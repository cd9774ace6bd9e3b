import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** A graphql-ws client on a real socket, without retries. */
export function wsClient(httpUrl: string, connectionParams: Record<string, unknown> | undefined): Client {
  return createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** Runs one query or mutation over the socket and resolves with its result. */
export function wsExecute<T = Record<string, any>>(client: Client, query: string, variables?: Record<string, unknown>) {
  return new Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>((resolve, reject) => {
    let result: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] } = {};
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          result = value as typeof result;
        },
        error: (error) => (Array.isArray(error) ? resolve({ errors: error as never }) : reject(error)),
        complete: () => resolve(result),
      },
    );
  });
}

/** A live subscription whose results queue up until a test takes them. */
export interface LiveSubscription<T = any> {
  /** The next `count` results, or fails after `timeoutMs`. */
  take(count: number, timeoutMs?: number): Promise<T[]>;
  /** Every result up to and including the first that matches, or fails after `timeoutMs`. */
  takeUntil(predicate: (result: T) => boolean, timeoutMs?: number): Promise<T[]>;
  /** Asserts that nothing arrives for `ms`. */
  nothingFor(ms: number): Promise<T[]>;
  /** Resolves when the server completes the subscription. */
  completed: Promise<void>;
  /** How many results `skip` dropped (warm-up traffic): more than 0 means the server is listening. */
  readonly skipped: number;
  dispose(): void;
}

export function subscribe<T = any>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  options: { skip?: (result: T) => boolean } = {},
): LiveSubscription<T> {
  const queue: T[] = [];
  let skipped = 0;
  const waiters: (() => void)[] = [];
  let resolveCompleted: () => void = () => {};
  const completed = new Promise<void>((resolve) => (resolveCompleted = resolve));
  // `skip` is asked again when results are taken: warm-up traffic whose id the test learns from the HTTP
  // answer may arrive before that answer does.
  const wake = () => {
    for (let index = queue.length - 1; index >= 0; index--) if (options.skip?.(queue[index]!)) queue.splice(index, 1);
    waiters.splice(0).forEach((wakeUp) => wakeUp());
  };
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        const result = (value.errors ? { errors: value.errors } : value.data) as T;
        if (options.skip?.(result)) skipped += 1;
        else queue.push(result);
        wake();
      },
      error: (error) => {
        queue.push({ errors: error } as T);
        wake();
        resolveCompleted();
      },
      complete: () => {
        resolveCompleted();
        wake();
      },
    },
  );
  return {
    async take(count, timeoutMs = 3000) {
      wake();
      const deadline = Date.now() + timeoutMs;
      while (queue.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} results, got ${queue.length}: ${JSON.stringify(queue)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return queue.splice(0, count);
    },
    async takeUntil(predicate, timeoutMs = 3000) {
      wake();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = queue.findIndex(predicate);
        if (index >= 0) return queue.splice(0, index + 1);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected a matching result, got ${queue.length}: ${JSON.stringify(queue)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async nothingFor(ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      wake();
      return queue.splice(0);
    },
    completed,
    get skipped() {
      return skipped;
    },
    dispose,
  };
}

/**
 * Resolves once every subscription has heard warm-up traffic (results its `skip` drops): then the
 * server is listening for it. `poke` makes one round of that traffic; it is repeated until heard.
 */
export async function untilListening(subscriptions: LiveSubscription[], poke: () => Promise<unknown>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (subscriptions.some((subscription) => subscription.skipped === 0)) {
    if (Date.now() > deadline) throw new Error('subscriptions never started listening');
    await poke();
    const roundEnd = Date.now() + 500;
    while (Date.now() < roundEnd && subscriptions.some((subscription) => subscription.skipped === 0)) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
