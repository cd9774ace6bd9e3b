import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';

export interface ProtectionLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxDirectives: number;
}

export const defaultLimits: ProtectionLimits = { maxDepth: 12, maxAliases: 30, maxTokens: 5000, maxCost: 50_000, maxDirectives: 20 };

/** Validation failures that carry no code get the conventional one, so clients can tell them apart. */
function useValidationCode(): Plugin {
  return {
    onValidate: () => ({ result, setResult }) => {
      if (result.length === 0) return;
      setResult(
        result.map((error) =>
          error.extensions?.['code']
            ? error
            : new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }),
        ),
      );
    },
  };
}

/**
 * Query limits run during validation, before any resolver. In production the schema is not
 * introspectable and field suggestions ("did you mean ...") are hidden.
 */
export function protectionPlugins(limits: ProtectionLimits, production: boolean): Plugin[] {
  const armor = EnvelopArmorPlugin<YogaInitialContext>({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases, allowList: [] },
    maxTokens: { n: limits.maxTokens },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: production },
  });
  return [
    armor,
    useValidationCode(),
    // A request with a JSON body or an Authorization header is preflighted by browsers already.
    useCSRFPrevention({ requestHeaders: ['authorization', 'x-graphql-yoga-csrf', 'apollo-require-preflight'] }) as unknown as Plugin,
    ...(production ? [useDisableIntrospection() as unknown as Plugin] : []),
  ];
}
