import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// PostGraphile 4 needs graphql 15 while Deskgraph uses 16, so npm nests graphql 15 under
// postgraphile; but it hoists graphile-build-pg (with private copies of graphile-build and
// graphql 15) and graphql-parse-resolve-info (which then finds Deskgraph's graphql 16) to the top.
// Several graphql realms in one schema fail at run time ("Unexpected input type: Int"). The peer
// process loads nothing but PostGraphile, so, imported before it, this module sends every
// `graphql` and `graphile-build` request to the copies postgraphile itself uses: one realm.

const postgraphileDir = dirname(createRequire(import.meta.url).resolve('postgraphile/package.json'));
const shared = new Set(['graphql', 'graphile-build']);

type Parent = { filename?: string | null; paths?: string[] };
type Resolve = (request: string, parent: Parent | undefined, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve; _nodeModulePaths(dir: string): string[] };
/** Resolving as if postgraphile's own index.js asked. */
const insidePostgraphile: Parent = { filename: join(postgraphileDir, 'index.js'), paths: loader._nodeModulePaths(postgraphileDir) };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (request, parent, ...rest) {
  return resolve.call(this, request, shared.has(request.split('/')[0]!) ? insidePostgraphile : parent, ...rest);
};
