import { getOperationAST, GraphQLError, visit, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

// No helpdesk text needs U+0000 and PostgreSQL text cannot hold it: one rule on every engine, checked
// before a mutation runs, rather than a write failing inside one engine's driver. Searches may still
// carry it (a query stores nothing); with no stored text holding it, such a term matches nothing.
const nul = '\u0000';

/** The path of the first string holding NUL in a variable value (e.g. input.name), or null. */
function nulPathIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes(nul) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const found = nulPathIn(item, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/** The argument whose literal text holds NUL, or null. */
function nulLiteralIn(operation: OperationDefinitionNode): string | null {
  let found: string | null = null;
  visit(operation, {
    Argument(node) {
      visit(node.value, {
        StringValue(literal) {
          if (literal.value.includes(nul)) found ??= node.name.value;
        },
      });
    },
  });
  return found;
}

export function useTextWithoutNul(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const field = nulPathIn(args.variableValues ?? {}, '') ?? nulLiteralIn(operation);
      if (field === null) return;
      setResultAndStopExecution({
        errors: [new GraphQLError(`${field}: text may not contain the NUL character (U+0000)`, { extensions: { code: 'BAD_USER_INPUT', field } })],
      });
    },
  };
}
