import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './helpers/app.js';
import { killStartedEntries } from './helpers/child.js';
import { dropDatabase, prepareDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { asApp, startInstance, type Instance } from './helpers/instances.js';
import { redisUnavailable, startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { subscribe, untilListening, wsClient } from './helpers/ws.js';

// Two deployments (two databases, two REDIS_PREFIX values) on one redis-server: their accounts, sectors
// and tickets have the same ids, yet neither hears the other's events nor counts the other's failed logins.

const WAITING = 'subscription { ticketEvents(status: WAITING) { kind ticketId ticket { lastMessage { body } } } }';
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';

interface TicketEvent { ticketEvents: { kind: string; ticketId: string; ticket: { lastMessage: { body: string } | null } | null } }
type Deployment = Instance & { dir: string };

if (redisUnavailable) describe.skip(`deployments sharing Redis: skipped, ${redisUnavailable}`, () => it.skip('needs redis-server'));

describe.skipIf(redisUnavailable !== null)('two deployments sharing one Redis server (REDIS_PREFIX)', () => {
  const sockets: Client[] = [];
  let redis: RedisServer;
  let alpha: Deployment;
  let beta: Deployment;
  let phone = 0;
  const nextPhone = () => `55119730${String(++phone).padStart(5, '0')}`;

  async function startDeployment(prefix: string): Promise<Deployment> {
    const dir = mkdtempSync(join(tmpdir(), `deskgraph-${prefix}-`));
    const instance = await startInstance({ DATABASE_URL: await prepareDatabase(dir), REDIS_URL: redis.url, REDIS_PREFIX: prefix, LOGIN_FAILURES_PER_EMAIL: '3' }, dir);
    return { ...instance, dir };
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    [alpha, beta] = await Promise.all([startDeployment('alpha'), startDeployment('beta')]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await Promise.all([alpha?.entry.stop('SIGTERM'), beta?.entry.stop('SIGTERM')]);
    killStartedEntries();
    await redis?.remove();
    for (const deployment of [alpha, beta]) {
      if (!deployment) continue;
      await dropDatabase(deployment.dir);
      rmSync(deployment.dir, { recursive: true, force: true });
    }
  });

  it('keeps every channel and key under its prefix', async () => {
    const watcher = new Redis(redis.url);
    try {
      const channels = (await watcher.pubsub('CHANNELS', '*')) as string[];
      expect(channels.length).toBeGreaterThan(0);
      expect(channels.every((channel) => channel.startsWith('alpha:') || channel.startsWith('beta:'))).toBe(true);
      expect(channels.some((channel) => channel.startsWith('alpha:'))).toBe(true);
      expect(channels.some((channel) => channel.startsWith('beta:'))).toBe(true);
    } finally {
      watcher.disconnect();
    }
  });

  it("an agent of one deployment never hears the other's tickets, though their account and sector ids are the same", async () => {
    const [alphaSales, betaSales] = [await createSector(asApp(alpha), 'Sales'), await createSector(asApp(beta), 'Sales')];
    expect(alphaSales).toBe(betaSales);
    const agents: Agent[] = [await createAgent(asApp(alpha), 'Ana', [alphaSales], {}, 'OFFLINE'), await createAgent(asApp(beta), 'Ana', [betaSales], {}, 'OFFLINE')];
    const tabs = [alpha, beta].map((deployment, index) => {
      const socket = wsClient(deployment.url, { authorization: `Bearer ${agents[index]!.token}` });
      sockets.push(socket);
      return subscribe<TicketEvent>(socket, WAITING, {}, { skip: (event) => event.ticketEvents?.ticket?.lastMessage?.body === 'warm-up' });
    });
    await untilListening([tabs[0]!], () => contactWrites(asApp(alpha), { phone: nextPhone(), body: 'warm-up', sectorId: alphaSales }));
    await untilListening([tabs[1]!], () => contactWrites(asApp(beta), { phone: nextPhone(), body: 'warm-up', sectorId: betaSales }));

    await contactWrites(asApp(alpha), { phone: nextPhone(), body: 'from alpha', sectorId: alphaSales });
    await contactWrites(asApp(beta), { phone: nextPhone(), body: 'from beta', sectorId: betaSales });
    // Both commits are account 1's in their own deployment: without prefixes they would share one channel.
    const heardOnAlpha = await tabs[0]!.takeUntil((event) => event.ticketEvents.ticket?.lastMessage?.body === 'from alpha', 10_000);
    const heardOnBeta = await tabs[1]!.takeUntil((event) => event.ticketEvents.ticket?.lastMessage?.body === 'from beta', 10_000);
    expect(heardOnAlpha.map((event) => event.ticketEvents.ticket?.lastMessage?.body)).toEqual(['from alpha']);
    expect(heardOnBeta.map((event) => event.ticketEvents.ticket?.lastMessage?.body)).toEqual(['from beta']);
    // A sentinel on beta after alpha's second ticket: beta's tab reaches it without hearing alpha.
    await contactWrites(asApp(alpha), { phone: nextPhone(), body: 'from alpha again', sectorId: alphaSales });
    await tabs[0]!.takeUntil((event) => event.ticketEvents.ticket?.lastMessage?.body === 'from alpha again', 10_000);
    await contactWrites(asApp(beta), { phone: nextPhone(), body: 'sentinel', sectorId: betaSales });
    const rest = await tabs[1]!.takeUntil((event) => event.ticketEvents.ticket?.lastMessage?.body === 'sentinel', 10_000);
    expect(rest.map((event) => event.ticketEvents.ticket?.lastMessage?.body)).toEqual(['sentinel']);
  });

  it("failed logins in one deployment do not throttle the same e-mail in the other", async () => {
    const wrong = { e: ADMIN_EMAIL, p: 'Wrong-Passw0rd' };
    for (let i = 0; i < 3; i++) expect((await alpha.anonymous.expectCode(LOGIN, wrong, 'UNAUTHENTICATED')).extensions?.['reason']).not.toBe('TOO_MANY_ATTEMPTS');
    expect((await alpha.anonymous.expectCode(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD }, 'UNAUTHENTICATED')).extensions).toMatchObject({ reason: 'TOO_MANY_ATTEMPTS' });
    expect((await beta.anonymous.request<{ login: { token: string } }>(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD })).login.token).toBeTruthy();
    const watcher = new Redis(redis.url);
    try {
      const keys = await watcher.keys('*');
      expect(keys.some((key) => key.startsWith('alpha:login-email'))).toBe(true);
      expect(keys.every((key) => key.startsWith('alpha:') || key.startsWith('beta:'))).toBe(true);
    } finally {
      watcher.disconnect();
    }
  });
});
