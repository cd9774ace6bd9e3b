import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDatabase, withTestDatabase } from './helpers/database.js';
import { gqlClient } from './helpers/gql.js';
import { startReceiver } from './helpers/receiver.js';

const root = join(import.meta.dirname, '..');
const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';

function startServer(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; exited: Promise<NodeJS.Signals | number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in time:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', () => reject(new Error(`exited before listening:\n${output}`)));
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, url, exited };
}

describe('the outbox across a crash', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers an event committed just before a SIGKILL once the server is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-crash-'));
    dirs.push(dir);
    const receiver = await startReceiver();
    const env = {
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: await prepareDatabase(dir), JWT_SECRET: 'crash-test-secret-long-enough-for-hs256-0123456789',
      BOOTSTRAP_ADMIN_EMAIL: 'admin@crash.test', BOOTSTRAP_ADMIN_PASSWORD: 'Crash-Passw0rd', LOG_LEVEL: 'info',
      PLUGINS: './test/fixtures/crash-plugin.ts', CRASH_MARKER: join(dir, 'killed'), CRASH_LOG: join(dir, 'received.jsonl'),
      WEBHOOKS_ALLOW_PRIVATE_URLS: 'true', WEBHOOKS_POLL_MS: '50',
    };
    const first = startServer(env);
    children.push(first.child);
    const client = gqlClient(await first.url);
    const { login } = await client.request(LOGIN, { email: 'admin@crash.test', password: 'Crash-Passw0rd' });
    const admin = gqlClient(await first.url, login.token);
    await admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { webhook { id } } }', { input: { url: receiver.url, events: ['ticket.created'] } });

    // The mutation commits; the plugin's handler then kills the process before any cursor moves.
    // Its answer may or may not get out before the kill, so the committed ticket is read from the database.
    const ingest = admin
      .request('mutation { ingestMessage(input: { contact: { phone: "5511911112222" }, body: "are you there?" }) { id } }')
      .catch(() => null);
    expect(await first.exited).toBe('SIGKILL');
    await ingest;
    const committed = await withTestDatabase(env.DATABASE_URL, (db) => db.rows<{ id: number }>('SELECT id FROM tickets'), { readonly: true });
    expect(committed).toHaveLength(1);
    expect(existsSync(env.CRASH_MARKER)).toBe(true);
    expect(existsSync(env.CRASH_LOG)).toBe(false);

    const second = startServer(env);
    children.push(second.child);
    await second.url;
    const deadline = Date.now() + 15_000;
    while (!existsSync(env.CRASH_LOG) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(env.CRASH_LOG), 'the replayed event was never handled').toBe(true);
    const replayed = readFileSync(env.CRASH_LOG, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(replayed.map((event) => event.type)).toEqual(['ticket.created']);
    expect(replayed[0].data.ticket.id).toBe(Buffer.from(`Ticket:${committed[0]!.id}`).toString('base64'));
    // The webhook fan-out has its own cursor: whether it ran before the kill or after, the event arrives.
    const [delivered] = await receiver.until((all) => all.length >= 1, 15_000);
    expect(JSON.parse(delivered!.body)).toMatchObject({ id: replayed[0].id, type: 'ticket.created' });

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    await receiver.close();
  }, 90_000);
});
