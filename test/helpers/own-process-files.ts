// Pothos keeps one schema builder per process (schema/index.ts), and the suite's workers keep their modules
// from one file to the next (vitest.config.ts). These files run each in a process of its own: they add test
// plugins' fields to that builder, which would reach every later file of a shared worker, or they read the
// whole schema, which must hold no such field. test/own-process-files.test.ts finds the files that belong here.
export const ownProcessFiles = [
  'test/schema-sdl.test.ts',
  'test/schema-descriptions.test.ts',
  'test/plugins.test.ts',
  'test/plugin-scopes.test.ts',
  'test/node-ids.test.ts',
];
