import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.js';
import { deskgraphToken, freePort, graphqlTarget, post, secret, startUntilHealthy, stop, sub } from './http-kit.js';
import { phoneOf } from './http-writes.js';
import { mixPools } from './mix.js';
import { serverLog, startCluster } from './peer/postgres.js';

// npm run bench:pg-write-statements [-- --show]: the SQL statements one write costs Deskgraph on PostgreSQL, counted
// from the cluster's own log (log_statement = 'all' on a scratch clone of the 1M copy bench:http -- --engine
// postgres made): the request's, and the outbox relay's pass after it, up to 300 ms after the answer. Timers are
// slowed (the relay lease and the webhook sender's poll: an hour) but the relay's one-second catch-up read may
// still fall in the window, so each write is counted three times and the fewest kept. Prints a Markdown table.

const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, 'bench-1m.sqlite');
if (!existsSync(`${path}.json`)) throw new Error(`No dataset at ${path}: run npm run bench:plans first`);
const dataset = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Dataset;
const show = process.argv.includes('--show');

const cluster = await startCluster(join(dataDir, 'pg', 'bench-1m'), () => {});
const scratch = 'deskgraph_write_statements';
await cluster.psql([`drop database if exists ${scratch}`, `create database ${scratch} template deskgraph_bench`, `alter database ${scratch} set log_statement = 'all'`]);
const port = await freePort();
const env = {
  HOST: '127.0.0.1', PORT: String(port), JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'warn',
  ACCOUNT_REQUESTS_PER_MINUTE: '0', ACCOUNT_INGESTS_PER_MINUTE: '0', RELAY_LEASE_SECONDS: '3600', WEBHOOKS_POLL_MS: '3600000', DATABASE_URL: `postgres://postgres@127.0.0.1:${cluster.port}/${scratch}`,
};
const server = await startUntilHealthy(['bin/start.ts'], env, `http://127.0.0.1:${port}/healthz`);
try {
  const graphql = `http://127.0.0.1:${port}/graphql`;
  const request = async (token: string, query: string, variables: Record<string, unknown>) => {
    const answer = await post(graphqlTarget(graphql, token, query, variables));
    if (answer.errors) throw new Error(`${query}: ${JSON.stringify(answer.errors)}`);
  };
  const adminToken = await deskgraphToken(dataset.adminId);
  const agentToken = await deskgraphToken(dataset.agent.userId);
  const integration = await post(graphqlTarget(graphql, adminToken, 'mutation { createIntegration(name: "statements") { token } }'));
  const botToken = integration.data.createIntegration.token as string;
  const pools = mixPools(path, dataset);
  const INGEST = 'mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id status } }';
  const ingest = (contact: number) => request(botToken, INGEST, { input: { contact: { phone: phoneOf(contact) }, body: 'statements', sectorId: sub('Sector', dataset.agent.sectorIds[0]!) } });
  const accept = (i: number) => request(agentToken, 'mutation($id: ID!) { acceptTicket(id: $id) { id status } }', { id: sub('Ticket', pools.waiting[i]!) });
  const close = (i: number) => request(agentToken, 'mutation($id: ID!) { closeTicket(id: $id) { id status } }', { id: sub('Ticket', pools.open[i]!) });
  // Each kind once to warm up (connections, named statements), then three counted.
  const writes: Array<[string, (i: number) => Promise<void>]> = [
    ['ingestMessage (a new contact and ticket, MANUAL sector)', (i) => ingest(dataset.size.contacts + 1 + i)],
    ['acceptTicket', accept],
    ['closeTicket (the closer in 3 MANUAL sectors)', close],
  ];
  const statementsIn = (text: string) => text.split('\n').filter((line) => / LOG: +(statement|execute)/.test(line));
  console.log('| write | statements: the request and its relay pass (fewest of 3) |\n|---|---|');
  for (const [name, write] of writes) {
    await write(0);
    let fewest: string[] | null = null;
    for (let i = 1; i <= 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const mark = serverLog(cluster).length;
      await write(i);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ran = statementsIn(serverLog(cluster).slice(mark));
      if (!fewest || ran.length < fewest.length) fewest = ran;
    }
    console.log(`| ${name} | ${fewest!.length} |`);
    if (show) for (const line of fewest!) console.log(`    ${line.replace(/^.*LOG: +/, '').slice(0, 150)}`);
  }
} finally {
  await stop(server.child);
  await cluster.psql(`drop database if exists ${scratch}`);
  await cluster.stop();
}
