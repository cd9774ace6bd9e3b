import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql';
import { withoutSuggestions } from './errors.js';

export interface ProtectionLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxDirectives: number;
}

export const defaultLimits: ProtectionLimits = { maxDepth: 12, maxAliases: 30, maxTokens: 5000, maxCost: 50_000, maxDirectives: 20 };

function withCode(error: GraphQLError, code: string, production: boolean): GraphQLError {
  const message = production ? withoutSuggestions(error.message) : error.message;
  if (error.extensions?.['code'] && message === error.message) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { code, ...error.extensions },
  });
}

/**
 * Parse and validation failures get the conventional codes, so clients can tell them apart; in
 * production without suggestions (armor's blockFieldSuggestion misses "Did you mean the enum value").
 */
function useRequestErrorCodes(production: boolean): Plugin {
  return {
    onParse: () => ({ result, replaceParseResult }) => {
      if (result instanceof GraphQLError) replaceParseResult(withCode(result, 'GRAPHQL_PARSE_FAILED', production));
    },
    onValidate: () => ({ result, setResult }) => {
      if (result.length > 0) setResult(result.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED', production)));
    },
  };
}

/**
 * No introspection on any path: yoga's useDisableIntrospection marks HTTP requests only, so a
 * graphql-ws operation (validated without one) introspected in production.
 */
const useNoIntrospection: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
};

/**
 * Query limits run during validation, before any resolver. In production the schema is not
 * introspectable and no message suggests a schema name ("did you mean ...").
 */
export function protectionPlugins(limits: ProtectionLimits, production: boolean): Plugin[] {
  // Reported as validation errors rather than thrown, so each carries a code and all are listed.
  const report = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)] };
  const armor = EnvelopArmorPlugin<YogaInitialContext>({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...report },
    maxAliases: { n: limits.maxAliases, allowList: [], ...report },
    maxTokens: { n: limits.maxTokens },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, ...report },
    maxDirectives: { n: limits.maxDirectives, ...report },
    blockFieldSuggestion: { enabled: false },
  });
  return [
    armor,
    useRequestErrorCodes(production),
    // A request with a JSON body or an Authorization header is preflighted by browsers already.
    useCSRFPrevention({ requestHeaders: ['authorization', 'x-graphql-yoga-csrf', 'apollo-require-preflight'] }) as unknown as Plugin,
    ...(production ? [useNoIntrospection] : []),
  ];
}
