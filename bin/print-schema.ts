import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from '../schema/index.js';

/** What every server serves: the core schema, without plugins. */
export function publishedSchema(): GraphQLSchema {
  return buildSchema();
}

/** The SDL frontend teams run codegen against; test/schema-sdl.test.ts fails when it is stale. */
export function schemaSdl(): string {
  return `${printSchema(lexicographicSortSchema(publishedSchema()))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
  writeFileSync(target, schemaSdl());
  console.log(`wrote ${target}`);
}
