import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { SignJWT } from 'jose';
import type { Dataset } from '../dataset.js';
import { graphqlTarget, post, root, secret, startProcess, stop, type Target } from '../http-kit.js';
import { peerDatabase } from './load.js';
import { serverLog, type Cluster } from './postgres.js';
import { database, loginRole } from './schema.js';

// The peer end to end: the loaded cluster, PostGraphile on it, the workloads in its own GraphQL
// dialect, and the plans PostgreSQL chose for them (auto_explain, one request each).

export interface Peer {
  cluster: Cluster;
  loadedNow: boolean;
  url: string;
  serverPid: number;
  /** PostGraphile's and PostgreSQL's versions, for the report. */
  version: string;
  postgresVersion: string;
  /** The peer's form of each workload, for the same agent. */
  targets: { page(status: string): Target; counts: Target; ticket(id: number): Target };
  /** EXPLAIN ANALYZE of the statements PostgreSQL ran for one request of each target. */
  plans(targets: [name: string, target: Target][]): Promise<string>;
  stop(): Promise<void>;
}

const PAGE = `query($status: String!) { tickets(condition: {status: $status}, orderBy: [LAST_ACTIVITY_AT_DESC, ID_DESC], first: 50) {
  totalCount edges { node { id protocol status contact { name phone } sector { name } lastMessage { body } } } } }`;
// The OPEN tab is the agent's own tickets, as in Deskgraph.
const MINE = `query($status: String!, $me: Int!) { tickets(condition: {status: $status, assigneeId: $me}, orderBy: [LAST_ACTIVITY_AT_DESC, ID_DESC], first: 50) {
  totalCount edges { node { id protocol status contact { name phone } sector { name } lastMessage { body } } } } }`;
const COUNTS = `query($me: Int!) { waiting: tickets(condition: {status: "WAITING"}) { totalCount }
  open: tickets(condition: {status: "OPEN", assigneeId: $me}) { totalCount } closed: tickets(condition: {status: "CLOSED"}) { totalCount } }`;
const TICKET = `query($id: Int!) { ticket(id: $id) { id protocol status contact { name } messages(first: 50, orderBy: ID_DESC) { edges { node { body direction createdAt } } } } }`;

export async function startPeer(sqlitePath: string, dataset: Dataset, log: (line: string) => void): Promise<Peer> {
  const { cluster, loadedNow } = await peerDatabase(sqlitePath, join(root, 'bench', 'data', 'pg', basename(sqlitePath, '.sqlite')), log);
  // One cluster per dataset (bench/data/pg/bench-1m, .../bench-quick), so --quick never evicts the 1M load.
  let server;
  // --no-deprecation: PostGraphile 4 on pg 8 warns about overlapping client.query() calls on every start.
  try {
    server = await startProcess(['bench/peer/server.ts', `postgres://${loginRole}@127.0.0.1:${cluster.port}/${database}`], { NODE_ENV: 'production', PEER_JWT_SECRET: secret, NODE_OPTIONS: '--no-deprecation' }, /PEER (\d+)/);
  } catch (error) {
    cluster.stop();
    throw error;
  }
  const url = `http://127.0.0.1:${server.port}/graphql`;
  // The claims a host would put in a PostGraphile token: the role to SET, the user and account.
  const token = await new SignJWT({ role: 'deskgraph_user', user_id: dataset.agent.userId, account_id: dataset.accountId })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('postgraphile')
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
  const me = dataset.agent.userId;
  const targets: Peer['targets'] = {
    page: (status) => (status === 'OPEN' ? graphqlTarget(url, token, MINE, { status, me }) : graphqlTarget(url, token, PAGE, { status })),
    counts: graphqlTarget(url, token, COUNTS, { me }),
    ticket: (id) => graphqlTarget(url, token, TICKET, { id }),
  };
  return {
    cluster,
    loadedNow,
    url,
    serverPid: server.child.pid!,
    version: (createRequire(import.meta.url)('postgraphile/package.json') as { version: string }).version,
    postgresVersion: (await cluster.psql('show server_version')).trim(),
    targets,
    async plans(named) {
      const setting = (value: string) => [`alter system set auto_explain.log_min_duration = ${value}`, 'select pg_reload_conf()'];
      await cluster.psql(['alter system set auto_explain.log_analyze = on', ...setting('0')]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const sections: string[] = [];
      try {
        for (const [name, target] of named) {
          const start = serverLog(cluster).length;
          await post(target);
          await new Promise((resolve) => setTimeout(resolve, 200));
          sections.push(`## ${name}\n\n${planOfQuery(serverLog(cluster).slice(start))}`);
        }
      } finally {
        await cluster.psql(['alter system reset all', 'select pg_reload_conf()']);
      }
      return sections.join('\n\n');
    },
    async stop() {
      await stop(server.child);
      cluster.stop();
    },
  };
}

/** The plans of the statements PostGraphile compiled the GraphQL into. */
function planOfQuery(log: string): string {
  const entries = log.split(/\n(?=\S)/).filter((entry) => /duration: [\d.]+ ms\s+plan:/.test(entry));
  return entries
    // PostGraphile names its aliases __local_N__; set_config and the helpers' statements are left out.
    .filter((entry) => entry.includes('__local_'))
    .map((entry) => {
      const lines = entry.split('\n');
      // The query text spans many lines; the plan starts at the first node, the first line with a cost.
      const plan = lines.slice(lines.findIndex((line) => line.includes('(cost='))).map((line) => line.replace(/^\t/, '').replace(/\s*\(cost=[^)]*\)/, ''));
      return `${/duration: [\d.]+ ms/.exec(lines[0]!)![0]}\n\`\`\`\n${plan.join('\n')}\n\`\`\``;
    })
    .join('\n');
}
