import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from './helpers/database.js';
import { gqlClient, type GqlClient } from './helpers/gql.js';
import { startProbedServer, type ProbedServer } from './helpers/probed-server.js';
import { wsClient } from './helpers/ws.js';

const SOCKETS = 50;
const WARM_UP_COMMITS = 60;
const COMMITS = 400;
const WRITERS = 4;
const INGEST = 'mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id } }';

let server: ProbedServer;
let admin: GqlClient;
let adminToken: string;
let dir: string;
const clients: Client[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deskgraph-memory-'));
  server = await startProbedServer({
    DATABASE_URL: await prepareDatabase(dir),
    JWT_SECRET: 'memory-test-secret-long-enough-for-hs256-0123456789',
    BOOTSTRAP_ADMIN_EMAIL: 'admin@memory.test',
    BOOTSTRAP_ADMIN_PASSWORD: 'Memory-Passw0rd',
  });
  const { login } = await gqlClient(server.url).request<{ login: { token: string } }>(
    'mutation { login(email: "admin@memory.test", password: "Memory-Passw0rd") { token } }',
  );
  adminToken = login.token;
  admin = gqlClient(server.url, adminToken);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let phone = 0;
/** One contact writes: a new ticket; its id. */
async function ingestOne(): Promise<string> {
  phone++;
  const { ingestMessage } = await admin.request<{ ingestMessage: { id: string } }>(INGEST, { input: { contact: { phone: `55119${String(phone).padStart(8, '0')}` }, body: 'hello' } });
  return ingestMessage.id;
}
async function commit(count: number): Promise<void> {
  const writer = async (share: number) => {
    for (let i = 0; i < share; i++) await ingestOne();
  };
  await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(Math.floor(count / WRITERS) + (i < count % WRITERS ? 1 : 0))));
}

/** Whether `condition` held within `timeoutMs`. */
async function within(timeoutMs: number, condition: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
async function until(condition: () => boolean, what: string): Promise<void> {
  if (!(await within(15_000, condition))) throw new Error(`timed out waiting for ${what}`);
}

describe('live subscriptions under a stream of commits', () => {
  it('keep the server heap flat: a delivered commit is not kept until the token expires', async () => {
    // Each socket is a console with its ticket list and its counts (token valid 12 hours).
    // The ticket of each event each socket heard, in order.
    const heard = Array.from({ length: SOCKETS }, () => [] as string[]);
    const failures: unknown[] = [];
    const noteError = (error: unknown) => void failures.push(error);
    for (let i = 0; i < SOCKETS; i++) {
      const client = wsClient(server.url, { authorization: `Bearer ${adminToken}` });
      clients.push(client);
      const next = ({ data }: { data?: { ticketEvents: { ticketId: string } } | null }) => void heard[i]!.push(data?.ticketEvents.ticketId ?? '');
      client.subscribe({ query: 'subscription { ticketEvents { kind ticketId } }' }, { next, error: noteError, complete: () => {} });
      client.subscribe({ query: 'subscription { ticketCountsChanged { waiting open closed } }' }, { next: () => {}, error: noteError, complete: () => {} });
    }
    // Every subscription is live once a commit reached all of them (they register asynchronously).
    do await commit(1);
    while (!(await within(500, () => heard.every((ids) => ids.length > 0))));
    // A socket hears commits in order: what follows the marker ticket's event on it is what it is counted for,
    // however late the priming commits reached it (or the marker's event reached it before its id was known here).
    const marker = await ingestOne();
    await until(() => heard.every((ids) => ids.includes(marker)), 'the marker on every socket');
    const counted = () => heard.map((ids) => ids.length - ids.indexOf(marker) - 1);
    const everyoneHas = (count: number) => () => counted().every((n) => n >= count);

    // Warm-up: code paths compiled, caches filled.
    await commit(WARM_UP_COMMITS);
    await until(everyoneHas(WARM_UP_COMMITS), 'the warm-up events');
    const before = await server.memory();

    await commit(COMMITS);
    await until(everyoneHas(WARM_UP_COMMITS + COMMITS), 'every event on every socket');
    expect(failures).toEqual([]);
    expect(counted()).toEqual(heard.map(() => WARM_UP_COMMITS + COMMITS));
    const after = await server.memory();

    // 100 subscriptions x 400 commits: kept until the token expires they cost ~15 MB; released, under 1 MB.
    const grownMb = (after.heapUsed - before.heapUsed) / 2 ** 20;
    expect(grownMb, `heap after GC: ${(before.heapUsed / 2 ** 20).toFixed(1)} MB -> ${(after.heapUsed / 2 ** 20).toFixed(1)} MB`).toBeLessThan(4);
  });
});
