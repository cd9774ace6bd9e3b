import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RateLimitedError } from '../resolvers/errors.js';
import type { Context } from './context.js';
import { typedErrorOf } from './errors.js';

/**
 * Each operation of a signed-in viewer spends one from their account's request budget before it runs
 * (a subscription when it starts). Anonymous operations have no account: sign-in has its own throttle.
 */
export function useAccountFairness(): Plugin {
  const admit = async (context: unknown, stop: (result: { errors: GraphQLError[] }) => void) => {
    const { viewer, services } = context as Context;
    if (!viewer) return;
    try {
      await services.accountLimits.admitRequest(viewer.accountId);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      stop({ errors: [typedErrorOf(error)] });
    }
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => admit(args.contextValue, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => admit(args.contextValue, setResultAndStopExecution),
  };
}
