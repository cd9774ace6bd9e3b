import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../schema/index.js';

// Core node types have their ids encoded at once (schema/index.ts); a plugin's node type whose id is
// resolved asynchronously must still get the relay plugin's encoding, not an error.
describe("a plugin's node type with an asynchronous id", () => {
  it('answers the global id the relay plugin encodes', async () => {
    const schema = buildSchema([
      {
        name: 'test-async-node-id',
        extend: (builder) => {
          const Shelf = builder.node(builder.objectRef<{ key: number }>('TestShelf'), {
            id: { resolve: async (shelf) => shelf.key },
            fields: (t) => ({ label: t.string({ resolve: () => 'top' }) }),
          });
          builder.queryField('testShelf', (t) => t.field({ type: Shelf, authScopes: { authenticated: true }, resolve: () => ({ key: 41 }) }));
        },
      },
    ]);
    const result = await graphql({ schema, source: '{ testShelf { id label } }', contextValue: { viewer: { kind: 'user', userId: 1, accountId: 1, role: 'ADMIN', sectorIds: [] } } });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ testShelf: { id: Buffer.from('TestShelf:41').toString('base64'), label: 'top' } });
  });
});
