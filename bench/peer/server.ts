import { createServer } from 'node:http';
import './one-graphql.js';
import simplifyInflector from '@graphile-contrib/pg-simplify-inflector';
import { postgraphile } from 'postgraphile';

// The peer as a user would deploy it: PostGraphile 4 (the fastest version BENCH-NOTES measured,
// and the one that runs on Node 20 as is) in production settings, over the `peer` schema, with
// JWT auth: the token's `role` becomes the transaction's role and its other claims the
// jwt.claims.* settings the RLS policies read. Run by bench/http.ts as its own process; prints
// `PEER <port>` once listening. Usage: server.ts <postgres url>; JWT secret in PEER_JWT_SECRET.

const connectionString = process.argv[2]!;
const handler = postgraphile({ connectionString, max: 8 }, 'peer', {
  // A CommonJS module: under ESM its default import is module.exports, the plugin is `.default`.
  appendPlugins: [simplifyInflector.default],
  jwtSecret: process.env['PEER_JWT_SECRET']!,
  jwtVerifyOptions: { algorithms: ['HS256'], audience: 'postgraphile' },
  pgDefaultRole: 'deskgraph_anonymous',
  // Read-only workloads: no mutations in the schema, connections only (like Deskgraph's API),
  // no relation aliases, no watch mode, no per-query log line, no GraphiQL.
  disableDefaultMutations: true,
  simpleCollections: 'omit',
  legacyRelations: 'omit',
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  dynamicJson: true,
  watchPg: false,
  disableQueryLog: true,
  graphiql: false,
  enableQueryBatching: false,
  retryOnInitFail: false,
});

const server = createServer(handler);
server.listen(0, '127.0.0.1', () => console.log(`PEER ${(server.address() as { port: number }).port}`));
