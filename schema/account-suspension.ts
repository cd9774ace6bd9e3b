import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import type { Services } from '../resolvers/services.js';
import type { Context } from './context.js';

/**
 * Ends every open subscription of an account the moment the platform suspends it, whatever the
 * field (tickets, counts, monitoring, notifications) and the transport (graphql-ws, SSE): one
 * envelop hook instead of a check in each stream. It watches the account's commit topic, which
 * spans instances when the pub/sub does. The last message says why: UNAUTHENTICATED, ACCOUNT_SUSPENDED.
 */
export function useEndOnSuspension(services: Services): Plugin {
  return {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        const context = args.contextValue as unknown as Context;
        const accountId = context.viewer?.accountId;
        if (accountId === undefined || !isAsyncIterable(result)) return;
        setResult(untilSuspended(result, services, context, accountId) as AsyncIterableIterator<ExecutionResult>);
      },
    }),
  };
}

const suspended: ExecutionResult = {
  errors: [new GraphQLError('This account is suspended', { extensions: { code: 'UNAUTHENTICATED', reason: 'ACCOUNT_SUSPENDED' } })],
};

function untilSuspended<T>(source: AsyncIterable<T>, services: Services, context: Context, accountId: number): AsyncIterableIterator<T | ExecutionResult> {
  return new Repeater<T | ExecutionResult>(async (push, stop) => {
    const stream = source[Symbol.asyncIterator]();
    const commits = context.pubsub.accountCommits(accountId)[Symbol.asyncIterator]();
    let ended = false;
    void stop.then(() => {
      ended = true;
      void stream.return?.();
      void commits.return?.();
    });
    const end = async () => {
      if (ended) return;
      await push(suspended);
      stop();
    };
    // Listening first, then reading the account: a suspension committed in between is seen either way.
    const firstCommit = commits.next();
    void (async () => {
      for (let next = await firstCommit; !next.done && !ended; next = await commits.next()) {
        if (next.value.some((event) => event.type === 'account.suspended')) return end();
      }
    })().catch((error: unknown) => stop(error));
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
