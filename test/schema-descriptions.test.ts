import { readFileSync } from 'node:fs';
import { buildSchema as buildSdl, isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { unknownDescriptionKeys } from '../schema/descriptions.js';
import { buildSchema } from '../schema/index.js';

// The published schema documents itself: every type, field, argument, enum value and input field
// carries a description, so GraphiQL and codegen show the helpdesk's meaning, not just a name.

/** Every element of the schema without a description, by its coordinate (Type.field(arg:)). */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const blank = (text: string | null | undefined) => !text || text.trim() === '';
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  for (const directive of schema.getDirectives()) {
    if (blank(directive.description)) missing.push(`@${directive.name}`);
    for (const arg of directive.args) if (blank(arg.description)) missing.push(`@${directive.name}(${arg.name}:)`);
  }
  return missing;
}

describe('schema descriptions', () => {
  it('describe every type, field, argument, enum value and input field of the built schema', () => {
    expect(undescribed(buildSchema())).toEqual([]);
  });

  it('describe every element of the published schema/schema.graphql (npm run schema:print)', () => {
    expect(undescribed(buildSdl(readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8')))).toEqual([]);
  });

  it('name no element that does not exist in schema/descriptions.ts', () => {
    expect(unknownDescriptionKeys(buildSchema())).toEqual([]);
  });

  it('catch an element without one', () => {
    expect(undescribed(buildSdl('"A ticket" type Query { "Its protocol" protocol(format: String): String }'))).toEqual(['Query.protocol(format:)']);
  });
});
