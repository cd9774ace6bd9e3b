import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../schema/index.js';

// Core node types have their ids encoded at once (schema/index.ts); a plugin's node type whose id is
// resolved asynchronously must still get the relay plugin's encoding, its resolver called once per id.
describe("a plugin's node type with an asynchronous id", () => {
  it('answers the global id the relay plugin encodes, resolving it once', async () => {
    let calls = 0;
    const schema = buildSchema([
      {
        name: 'test-async-node-id',
        extend: (builder) => {
          const Shelf = builder.node(builder.objectRef<{ key: number }>('TestShelf'), {
            // Reads the context too, as a plugin's resolver may: the id is the row's key plus the viewer's account.
            id: {
              resolve: async (shelf, _args, context) => {
                calls += 1;
                return shelf.key + (context.viewer?.accountId ?? 0);
              },
            },
            fields: (t) => ({ label: t.string({ resolve: () => 'top' }) }),
          });
          builder.queryField('testShelf', (t) => t.field({ type: Shelf, authScopes: { authenticated: true }, resolve: () => ({ key: 41 }) }));
        },
      },
    ]);
    const result = await graphql({ schema, source: '{ testShelf { id label } }', contextValue: { viewer: { kind: 'user', userId: 1, accountId: 1, role: 'ADMIN', sectorIds: [] } } });
    expect(result.errors).toBeUndefined();
    expect(calls).toBe(1);
    expect(result.data).toEqual({ testShelf: { id: Buffer.from('TestShelf:42').toString('base64'), label: 'top' } });
  });
});
