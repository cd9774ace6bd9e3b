import { copyFileSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { Dataset } from './dataset.js';
import { deskgraphToken, freePort, graphqlTarget, idOf, post, startProcess, startUntilHealthy, stop, sub } from './http-kit.js';
import { mixPools, runMix, type MixResult, type MixSide } from './mix.js';

// The workloads that write (20 agents racing takeNextTicket, the 90/10 mix) run on a scratch copy of
// the dataset, so the dataset itself never changes: every run reads the same data, and the peer's
// loaded PostgreSQL cluster, keyed by the dataset's fingerprint, stays valid between runs.

export interface WriteFigures {
  race: { takesPerSecond: number; racers: number; takes: number; twice: number; errors: number };
  deskgraph: MixResult;
  bare: MixResult;
}

const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id status } }';
const CLOSE = 'mutation($id: ID!) { closeTicket(id: $id) { id status } }';
const INGEST = 'mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id status } }';
/** The tab page and ticket(id) queries of bench:http's read workloads, as the mix asks them. */
export const READ_PAGE = `query($status: TicketStatus!) { tickets(status: $status, first: 50) { totalCount edges { node { id protocol status contact { name phone } sector { name } lastMessage { body } } } } }`;
export const READ_TICKET = 'query($id: ID!) { ticket(id: $id) { id protocol status contact { name } messages(first: 50) { edges { node { body direction createdAt } } } } }';
/** The phone of the dataset's contact number `contact` (bench/dataset.ts numbers them from 1). */
export const phoneOf = (contact: number) => `55119${String(contact - 1).padStart(8, '0')}`;

function scratchCopy(path: string): string {
  const scratch = path.replace(/\.sqlite$/, '.scratch.sqlite');
  // Everything committed is in the main file once the WAL is checkpointed; then a plain copy is whole.
  const db = new BetterSqlite3(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${scratch}${suffix}`, { force: true });
  copyFileSync(path, scratch);
  return scratch;
}

export async function writeWorkloads(path: string, dataset: Dataset, env: Record<string, string>, seconds: number, quick: boolean, ticketId: number): Promise<WriteFigures> {
  const scratch = scratchCopy(path);
  try {
    const { race, mix: deskgraphMix } = await deskgraphWrites(scratch, mixPools(scratch, dataset), dataset, env, seconds, quick, ticketId);

    // The same mix against the bare limit: the same statements in one IMMEDIATE transaction per write.
    const bare = await startProcess(['bench/bare-server.ts', scratch, String(dataset.agent.userId), dataset.agent.sectorIds.join(','), 'writable'], {}, /BARE (\d+)/);
    const bareUrl = `http://127.0.0.1:${bare.port}`;
    const bareMix = await runMix(
      {
        reads: [...['WAITING', 'OPEN', 'CLOSED'].map((status) => ({ url: `${bareUrl}/page?status=${status}` })), { url: `${bareUrl}/counts` }, { url: `${bareUrl}/ticket?id=${ticketId}` }],
        accept: (id) => ({ url: `${bareUrl}/accept?id=${id}`, method: 'POST' }),
        close: (id) => ({ url: `${bareUrl}/close?id=${id}`, method: 'POST' }),
        ingest: (contact, sectorId) => ({ url: `${bareUrl}/ingest?phone=${phoneOf(contact)}&sector=${sectorId}&body=${encodeURIComponent(`bench mix message to ${contact}`)}`, method: 'POST' }),
        ok: (status) => status === 200,
      },
      mixPools(scratch, dataset),
      dataset,
      seconds,
    );
    await stop(bare.child);
    return { race, deskgraph: deskgraphMix, bare: bareMix };
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${scratch}${suffix}`, { force: true });
  }
}

/**
 * 20 agents racing takeNextTicket, then the 90/10 mix, against Deskgraph on `databaseUrl` (a scratch
 * SQLite file or PostgreSQL database: both workloads write); `pools` are the tickets the mix may accept and close.
 */
export async function deskgraphWrites(
  databaseUrl: string,
  pools: { waiting: number[]; open: number[] },
  dataset: Dataset,
  env: Record<string, string>,
  seconds: number,
  quick: boolean,
  ticketId: number,
): Promise<{ race: WriteFigures['race']; mix: MixResult }> {
  const port = await freePort();
  const deskgraph = await startUntilHealthy(['bin/start.ts'], { ...env, DATABASE_URL: databaseUrl, PORT: String(port) }, `http://127.0.0.1:${port}/healthz`);
  try {
    const graphql = `http://127.0.0.1:${port}/graphql`;
    const gql = async (query: string, variables: Record<string, unknown>, bearer: string) => post(graphqlTarget(graphql, bearer, query, variables));
    const adminToken = await deskgraphToken(dataset.adminId);

    // 20 agents of one sector racing takeNextTicket: every take is a distinct ticket.
    const sectors = (await gql('{ sectors { id agents { id } } }', {}, adminToken)).data.sectors as { id: string; agents: { id: string }[] }[];
    const racers = sectors.find((sector) => sector.id === sub('Sector', dataset.agent.sectorIds[0]!))!.agents.slice(0, 20);
    const racerTokens = await Promise.all(racers.map((racer) => deskgraphToken(idOf(racer.id))));
    const taken: string[] = [];
    const failures: string[] = [];
    const raceStarted = performance.now();
    await Promise.all(
      racerTokens.map(async (racerToken) => {
        for (let i = 0; i < (quick ? 5 : 20); i++) {
          const result = await gql('mutation { takeNextTicket { id } }', {}, racerToken);
          if (result.errors) failures.push(JSON.stringify(result.errors).slice(0, 300));
          if (result.data?.takeNextTicket) taken.push(result.data.takeNextTicket.id);
        }
      }),
    );
    const race = { takesPerSecond: taken.length / ((performance.now() - raceStarted) / 1000), racers: racers.length, takes: taken.length, twice: taken.length - new Set(taken).size, errors: failures.length };
    for (const failure of failures.slice(0, 3)) console.error(`race error: ${failure}`);

    // The mix against Deskgraph: the agent reads and accepts/closes, a bot (integration token) ingests.
    const agentToken = await deskgraphToken(dataset.agent.userId);
    const integration = await gql('mutation { createIntegration(name: "bench mix") { token } }', {}, adminToken);
    if (integration.errors) throw new Error(`createIntegration: ${JSON.stringify(integration.errors)}`);
    const botToken = integration.data.createIntegration.token as string;
    const deskgraphMix = await runMix(
      deskgraphMixSide(graphql, agentToken, botToken, ticketId),
      // The racers took some of the WAITING tickets the pools list: the mix accepts only the others.
      { waiting: pools.waiting.filter((id) => !taken.includes(sub('Ticket', id))), open: pools.open },
      dataset,
      seconds,
    );
    return { race, mix: deskgraphMix };
  } finally {
    await stop(deskgraph.child);
  }
}

/** The mix's requests to Deskgraph's endpoint: the agent reads, accepts and closes; a bot (integration token) ingests. */
export function deskgraphMixSide(graphql: string, agentToken: string, botToken: string, ticketId: number): MixSide {
  return {
    reads: [
      ...['WAITING', 'OPEN', 'CLOSED'].map((status) => graphqlTarget(graphql, agentToken, READ_PAGE, { status })),
      graphqlTarget(graphql, agentToken, '{ ticketCounts { waiting open closed } }'),
      graphqlTarget(graphql, agentToken, READ_TICKET, { id: sub('Ticket', ticketId) }),
    ],
    accept: (id) => graphqlTarget(graphql, agentToken, ACCEPT, { id: sub('Ticket', id) }),
    close: (id) => graphqlTarget(graphql, agentToken, CLOSE, { id: sub('Ticket', id) }),
    ingest: (contact, sectorId) =>
      graphqlTarget(graphql, botToken, INGEST, { input: { contact: { phone: phoneOf(contact) }, body: `bench mix message to ${contact}`, sectorId: sub('Sector', sectorId) } }),
    ok: (status, body) => status === 200 && !body.includes('"errors"'),
  };
}
