import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownProcessFiles } from './helpers/own-process-files.js';

const root = join(import.meta.dirname, '..');
const testFiles = readdirSync(join(root, 'test')).filter((name) => name.endsWith('.test.ts')).map((name) => `test/${name}`);

// A plugin's schema hook, a type or field added to the builder, or an example plugin (they add fields) loaded in-process.
const extendsSchema = /\bschema\s*\(\s*builder\b|\bbuilder\.(?:queryField|queryFields|mutationField|mutationFields|subscriptionField|objectField|objectFields|node|objectRef|objectType|enumType|inputType)\s*\(|plugins:\s*\[[^\]]*examples\//;
// The printed SDL, or the schema built in the test's own process (every type of it).
const readsWholeSchema = /\bpublishedSchema\(|\bschemaSdl\(|import \{[^}]*\bbuildSchema\b[^}]*\} from '\.\.\/schema\/index\.js'/;

function needsOwnProcess(file: string): boolean {
  const source = readFileSync(join(root, file), 'utf8');
  return extendsSchema.test(source) || readsWholeSchema.test(source);
}

describe('files that run in a process of their own (vitest.config.ts)', () => {
  it('holds every test file that extends the schema or reads it whole', () => {
    const needing = testFiles.filter(needsOwnProcess);
    expect(needing.length).toBeGreaterThan(0);
    expect(needing.filter((file) => !ownProcessFiles.includes(file)), 'add these to test/helpers/own-process-files.ts').toEqual([]);
  });

  it('names only test files that exist and need it', () => {
    for (const file of ownProcessFiles) {
      expect(testFiles, file).toContain(file);
      expect(needsOwnProcess(file), `${file} neither extends nor reads the whole schema`).toBe(true);
    }
  });
});
