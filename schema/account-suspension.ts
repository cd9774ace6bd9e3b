import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import type { Services } from '../resolvers/services.js';
import type { Context } from './context.js';
import type { DomainEvent } from '../resolvers/events.js';
import type { DomainPubSub } from './pubsub.js';

/**
 * Ends every open subscription of an account the moment the platform suspends it, whatever the
 * field (tickets, counts, monitoring, notifications) and the transport (graphql-ws, SSE): one
 * envelop hook instead of a check in each stream. It watches the account's commit topic, which
 * spans instances when the pub/sub does. The last message says why: UNAUTHENTICATED, ACCOUNT_SUSPENDED.
 */
export function useEndOnSuspension(services: Services): Plugin {
  const watch = new SuspensionWatch();
  return {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        const context = args.contextValue as unknown as Context;
        const accountId = context.viewer?.accountId;
        if (accountId === undefined || !isAsyncIterable(result)) return;
        setResult(untilSuspended(result, services, watch.of(context.pubsub, accountId), accountId) as AsyncIterableIterator<ExecutionResult>);
      },
    }),
  };
}

const suspended: ExecutionResult = {
  errors: [new GraphQLError('This account is suspended', { extensions: { code: 'UNAUTHENTICATED', reason: 'ACCOUNT_SUSPENDED' } })],
};

/** What a subscription hears of its account's suspension: `listen` returns the call that stops listening. */
type Suspensions = { listen(onSuspended: () => void, onFailed: (error: unknown) => void): () => void };

interface Watcher {
  onSuspended(): void;
  onFailed(error: unknown): void;
}

/**
 * One reader of an account's commits on this instance, however many of its subscriptions are open: a
 * commit costs one look for `account.suspended`, not one per open subscription.
 */
class SuspensionWatch {
  private readonly accounts = new Map<number, AccountWatch>();

  of(pubsub: DomainPubSub, accountId: number): Suspensions {
    return {
      listen: (onSuspended, onFailed) => {
        let watch = this.accounts.get(accountId);
        if (!watch) this.accounts.set(accountId, (watch = this.read(pubsub, accountId)));
        const watcher = { onSuspended, onFailed };
        const listening = watch;
        listening.watchers.add(watcher);
        return () => {
          listening.watchers.delete(watcher);
          if (listening.watchers.size === 0) this.close(accountId, listening);
        };
      },
    };
  }

  private close(accountId: number, watch: AccountWatch): void {
    if (this.accounts.get(accountId) === watch) this.accounts.delete(accountId);
    void watch.commits.return?.();
  }

  /** Listens at once (the first next() subscribes), so a suspension committed after `listen` returns is seen. */
  private read(pubsub: DomainPubSub, accountId: number): AccountWatch {
    const watch: AccountWatch = { watchers: new Set(), commits: pubsub.accountCommits(accountId)[Symbol.asyncIterator]() };
    const firstCommit = watch.commits.next();
    void (async () => {
      for (let next = await firstCommit; !next.done; next = await watch.commits.next()) {
        if (next.value.some((event) => event.type === 'account.suspended')) for (const watcher of [...watch.watchers]) watcher.onSuspended();
      }
    })()
      .catch((error: unknown) => {
        for (const watcher of [...watch.watchers]) watcher.onFailed(error);
      })
      .finally(() => this.close(accountId, watch));
    return watch;
  }
}

interface AccountWatch {
  watchers: Set<Watcher>;
  commits: AsyncIterator<DomainEvent[]>;
}

function untilSuspended<T>(source: AsyncIterable<T>, services: Services, suspensions: Suspensions, accountId: number): AsyncIterableIterator<T | ExecutionResult> {
  return new Repeater<T | ExecutionResult>(async (push, stop) => {
    const stream = source[Symbol.asyncIterator]();
    let ended = false;
    const end = async () => {
      if (ended) return;
      await push(suspended);
      stop();
    };
    // Listening first, then reading the account: a suspension committed in between is seen either way.
    const stopListening = suspensions.listen(() => void end(), (error) => stop(error));
    void stop.then(() => {
      ended = true;
      stopListening();
      void stream.return?.();
    });
    // Not awaited: the Repeater ends when stopped, even while the source's pending next() has not settled.
    void (async () => {
      for (let next = await stream.next(); !next.done && !ended; next = await stream.next()) await push(next.value);
    })().then(
      () => stop(),
      (error: unknown) => stop(error),
    );
    if ((await services.store.accounts.byId(accountId))?.suspendedAt) await end();
  });
}
