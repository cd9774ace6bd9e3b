import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeskgraph, type RunningDeskgraph } from '../server.js';
import { loadConfig } from '../bin/config.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, testConfig } from './helpers/app.js';
import { databaseUrlOf, engine, prepareDatabase, withTestDatabase } from './helpers/database.js';
import { gqlClient, type GqlClient } from './helpers/gql.js';
import { startReceiver } from './helpers/receiver.js';
import { subscribe, wsClient } from './helpers/ws.js';

const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';

let dir: string;
let running: RunningDeskgraph;
let admin: GqlClient;
let adminToken: string;
const lines: Record<string, any>[] = [];
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deskgraph-obs-'));
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  await prepareDatabase(dir);
  const webhooks = { allowPrivateUrls: true, maxAttempts: 1, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 2000 };
  running = await startDeskgraph(testConfig(dir, { loginThrottle: { failuresPerEmail: 2, failuresPerIp: 100, windowSeconds: 60 }, pluginConfig: { webhooks } }), {
    port: 0,
    host: '127.0.0.1',
    log,
  });
  base = running.url.replace('/graphql', '');
  adminToken = (await gqlClient(running.url).request(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).login.token;
  admin = gqlClient(running.url, adminToken);
});
afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function metrics(): Promise<string> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('/metrics', () => {
  it('counts operations, durations and errors by root field, never by the client-chosen name', async () => {
    await admin.request('query Random_Name_123 { me { id } }');
    await admin.request('{ me { name } }');
    await admin.expectCode('mutation { createSector(input: { name: "" }) { id } }', undefined, 'BAD_USER_INPUT');
    const text = await metrics();
    expect(sample(text, 'deskgraph_graphql_operations_total', 'operationType="query",operation="me"')).toBe(2);
    expect(sample(text, 'deskgraph_graphql_request_duration_seconds_count', 'operationType="query",operation="me"')).toBe(2);
    expect(sample(text, 'deskgraph_graphql_errors_total', 'operationType="mutation",operation="createSector",phase="execute"')).toBe(1);
    expect(text).not.toContain('Random_Name_123');
    expect(text).toMatch(/^deskgraph_process_resident_memory_bytes \d+/m);
  });

  it('shows active subscriptions, outbox lag per consumer, webhook deliveries and dead letters', async () => {
    const client = wsClient(running.url, { authorization: `Bearer ${adminToken}` });
    const live = subscribe(client, 'subscription { ticketCountsChanged { waiting } }');
    await expect.poll(async () => /^deskgraph_active_subscriptions 1$/m.test(await metrics())).toBe(true);
    live.dispose();
    await client.dispose();
    await expect.poll(async () => /^deskgraph_active_subscriptions 0$/m.test(await metrics())).toBe(true);

    // A receiver that fails: with one attempt allowed, the delivery is DEAD at once.
    const receiver = await startReceiver({ status: 500 });
    await admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { secret } }', { input: { url: receiver.url, events: ['ticket.created'] } });
    await admin.request('mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id } }', { input: { contact: { phone: '+5511900001234' }, body: 'hi' } });
    await expect.poll(async () => sample(await metrics(), 'deskgraph_webhook_deliveries', 'status="DEAD"'), { timeout: 10_000 }).toBe(1);
    await receiver.close();
    const text = await metrics();
    expect(text).toMatch(/^deskgraph_outbox_lag_events\{consumer="plugin:webhooks"\} \d+$/m);
    expect(text).toContain('# TYPE deskgraph_outbox_dead_letters gauge');
  });
});

describe('probes and version', () => {
  it('/healthz, /readyz and serverInfo report the package version', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', version });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', version, checks: { database: 'ok', pendingMigrations: 0 } });
    expect((await admin.request('{ serverInfo { version } }')).serverInfo).toEqual({ version });
    await gqlClient(running.url).expectCode('{ serverInfo { version } }', undefined, 'UNAUTHENTICATED');
  });

  it('/readyz answers 503 while a migration is missing from the database', async () => {
    // drizzle keeps its journal in the main schema on SQLite, in its own schema on PostgreSQL.
    const journal = engine === 'postgres' ? 'drizzle.__drizzle_migrations' : '__drizzle_migrations';
    await withTestDatabase(databaseUrlOf(dir), async (db) => {
      const [last] = await db.rows<{ hash: string; created_at: number }>(`SELECT hash, created_at FROM ${journal} ORDER BY created_at DESC LIMIT 1`);
      expect(await db.run(`DELETE FROM ${journal} WHERE hash = ?`, [last!.hash])).toBe(1);
      try {
        const response = await fetch(`${base}/readyz`);
        expect(response.status).toBe(503);
        expect(await response.json()).toMatchObject({ status: 'not ready', checks: { database: 'ok', pendingMigrations: 1 } });
      } finally {
        await db.run(`INSERT INTO ${journal} (hash, created_at) VALUES (?, ?)`, [last!.hash, last!.created_at]);
      }
    });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});

describe('logs', () => {
  it('one access line per request: operation, status, duration, user; never the token or the body', async () => {
    const me = (await admin.request('{ me { id } }')).me.id as string;
    await admin.request('query AccessLogProbe($search: String) { me { id } tickets(status: WAITING, search: $search) { totalCount } }', { search: 'do-not-log-me' });
    await expect.poll(() => lines.some((line) => line['operation'] === 'AccessLogProbe')).toBe(true);
    const line = lines.find((l) => l['operation'] === 'AccessLogProbe')!;
    expect(line).toMatchObject({ access: true, msg: 'request', method: 'POST', path: '/graphql', status: 200, level: 30 });
    expect(typeof line['durationMs']).toBe('number');
    expect(Buffer.from(me, 'base64').toString()).toContain(String(line['userId']));

    await fetch(`${base}/healthz?token=${adminToken}`);
    await expect.poll(() => lines.some((l) => l['access'] && l['path'] === '/healthz')).toBe(true);
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain(adminToken);
    expect(everything).not.toContain('do-not-log-me');
    expect(everything).not.toContain(ADMIN_PASSWORD);
  });

  it('failed and throttled logins are security events, without the password', async () => {
    const anonymous = gqlClient(running.url);
    for (let i = 0; i < 2; i += 1) await anonymous.expectCode(LOGIN, { email: 'Nobody@Example.com', password: 'Wrong-Pass-1' }, 'UNAUTHENTICATED');
    await anonymous.expectCode(LOGIN, { email: 'nobody@example.com', password: 'Wrong-Pass-1' }, 'UNAUTHENTICATED');
    const failed = lines.filter((l) => l['security'] === 'login.failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ level: 40, email: 'nobody@example.com', reason: 'UNKNOWN_EMAIL', clientIp: '127.0.0.1' });
    expect(lines.filter((l) => l['security'] === 'login.throttled')).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('Wrong-Pass-1');
  });
});

describe('OpenTelemetry tracing', () => {
  it('with an OTLP endpoint, each operation is a span sent to the collector, without variables', async () => {
    const received: { path: string; body: any }[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const config = loadConfig({ JWT_SECRET: 's'.repeat(40), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'desk-test' }, pino({ level: 'silent' }));
    expect(config.tracing).toEqual({ endpoint, serviceName: 'desk-test' });

    const traced = await startTestApp({ tracing: config.tracing! });
    try {
      await traced.admin.request('query TracedProbe($search: String) { tickets(status: WAITING, search: $search) { totalCount } }', { search: 'private-search' });
    } finally {
      await traced.stop(); // flushes the batch
    }
    collector.close();
    expect(received.map((r) => r.path)).toContain('/v1/traces');
    const spans = received.flatMap((r) => r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
    const probe = spans.find((span: any) => span.name.includes('TracedProbe'));
    expect(probe).toBeDefined();
    expect(probe.attributes).toContainEqual({ key: 'graphql.execute.operationType', value: { stringValue: 'query' } });
    const resource = received[0]!.body.resourceSpans[0].resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'desk-test' } });
    expect(resource).toContainEqual({ key: 'service.version', value: { stringValue: version } });
    expect(JSON.stringify(received)).not.toContain('private-search');
  });
});
