import { readFileSync } from 'node:fs';
import { getNamedType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { publishedSchema, schemaSdl } from '../bin/print-schema.js';
import { unscopedRootFields } from '../schema/index.js';

const schema = publishedSchema();

describe('the published schema', () => {
  it('matches the committed schema/schema.graphql (run `npm run schema:print` after a change)', () => {
    const committed = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(schemaSdl());
  });

  // A page of 50 tickets asks 50 ids (and more for contacts, sectors, messages): each must be a string at
  // once, not a promise the executor waits on.
  it("encodes every node's global id synchronously, as the relay plugin would encode it", () => {
    const rows: Record<string, { id: number }> = { Ticket: { id: 7 }, Contact: { id: 8 }, Sector: { id: 9 }, Message: { id: 10 }, User: { id: 11 }, Channel: { id: 12 } };
    for (const [name, row] of Object.entries(rows)) {
      const type = schema.getType(name);
      if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
      const id = type.getFields()['id']!.resolve!(row, {}, {}, {} as never);
      expect(id, name).toBe(Buffer.from(`${name}:${row.id}`).toString('base64'));
    }
  });

  it('declares auth scopes on every root field but login', () => {
    expect(unscopedRootFields(schema)).toEqual([]);
  });

  it('keeps the contract names (CONTRACT.md) that exist so far', () => {
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    for (const name of ['me', 'node', 'sectors', 'users']) expect(query[name], `Query.${name}`).toBeDefined();
    for (const name of ['login', 'createSector', 'createUser', 'updateUser', 'setUserSectors', 'setMyStatus']) {
      expect(mutation[name], `Mutation.${name}`).toBeDefined();
    }
    expect(mutation['createUser']!.args.map((arg) => arg.name)).toEqual(['input']);
    expect(mutation['setUserSectors']!.args.map((arg) => arg.name)).toEqual(['sectorIds', 'userId'].sort());
    const user = schema.getType('User');
    expect(isObjectType(user)).toBe(true);
    if (isObjectType(user)) {
      const fields = user.getFields();
      for (const name of ['id', 'name', 'email', 'role', 'status', 'active', 'sectors']) expect(fields[name], `User.${name}`).toBeDefined();
      expect(String(fields['sectors']!.type)).toBe('[Sector!]!');
      expect(getNamedType(fields['role']!.type).name).toBe('Role');
    }
  });
});
