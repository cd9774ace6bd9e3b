import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, type ValidationContext } from 'graphql';

export interface ProtectionLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxDirectives: number;
}

export const defaultLimits: ProtectionLimits = { maxDepth: 12, maxAliases: 30, maxTokens: 5000, maxCost: 50_000, maxDirectives: 20 };

function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.['code']) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/** Parse and validation failures get the conventional codes, so clients can tell them apart. */
function useRequestErrorCodes(): Plugin {
  return {
    onParse: () => ({ result, replaceParseResult }) => {
      if (result instanceof GraphQLError) replaceParseResult(withCode(result, 'GRAPHQL_PARSE_FAILED'));
    },
    onValidate: () => ({ result, setResult }) => {
      if (result.length > 0) setResult(result.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')));
    },
  };
}

/**
 * Query limits run during validation, before any resolver. In production the schema is not
 * introspectable and field suggestions ("did you mean ...") are hidden.
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
    blockFieldSuggestion: { enabled: production },
  });
  return [
    armor,
    useRequestErrorCodes(),
    // A request with a JSON body or an Authorization header is preflighted by browsers already.
    useCSRFPrevention({ requestHeaders: ['authorization', 'x-graphql-yoga-csrf', 'apollo-require-preflight'] }) as unknown as Plugin,
    ...(production ? [useDisableIntrospection() as unknown as Plugin] : []),
  ];
}
