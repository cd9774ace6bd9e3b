import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import WebSocket from 'ws';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../bin/config.js';
import { startDeskgraph } from '../server.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, snapshotOf, startTestApp, testConfig } from './helpers/app.js';
import { killStartedEntries, ROOT, startEntry, tsx } from './helpers/child.js';
import { databaseUrlOf, engine, prepareDatabase, withTestDatabase } from './helpers/database.js';
import { gqlClient } from './helpers/gql.js';

const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deskgraph-start-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function count(databaseUrl: string, table: string): Promise<number> {
  return (await withTestDatabase(databaseUrl, (db) => db.rows<{ n: number }>(`SELECT count(*) AS n FROM ${table}`), { readonly: true }))[0]!.n;
}

describe('bootstrap', () => {
  it('creates one account, its default channel and its ADMIN on an empty database, and nothing on restart', async () => {
    const dir = tempDir();
    const first = await startTestApp({}, dir);
    expect(first.running.bootstrap).toMatchObject({ created: true, email: ADMIN_EMAIL, generatedPassword: null });
    await first.admin.request('mutation { createSector(input: { name: "Sales" }) { id } }');
    await first.stop();
    const database = databaseUrlOf(dir);
    // The test app signs its ADMIN in at each start, which opens a session: sessions aside, nothing changes.
    const withoutSessions = async () => {
      const { refresh_tokens: _sessions, ...rest } = JSON.parse(await snapshotOf(database)) as Record<string, unknown>;
      return JSON.stringify(rest);
    };
    const before = await withoutSessions();
    expect([await count(database, 'accounts'), await count(database, 'channels'), await count(database, 'users')]).toEqual([1, 1, 1]);

    const second = await startTestApp({}, dir);
    try {
      expect(second.running.bootstrap).toEqual({ created: false });
      const { sectors, channels, me } = await second.admin.request('{ sectors { name } channels { name kind isDefault } me { email role } }');
      expect(sectors).toEqual([{ name: 'Sales' }]);
      expect(channels).toEqual([{ name: 'Default', kind: 'API', isDefault: true }]);
      expect(me).toEqual({ email: ADMIN_EMAIL, role: 'ADMIN' });
    } finally {
      await second.stop();
    }
    expect(await withoutSessions()).toBe(before);
  });

  it('without configuration, creates admin@localhost with a random password that works', async () => {
    const dir = tempDir();
    await prepareDatabase(dir);
    const running = await startDeskgraph(testConfig(dir, { bootstrap: {} }), { port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
    try {
      expect(running.bootstrap.created).toBe(true);
      if (!running.bootstrap.created) return;
      expect(running.bootstrap.email).toBe('admin@localhost');
      const password = running.bootstrap.generatedPassword!;
      expect(password).toMatch(/[0-9]/);
      expect(password.length).toBeGreaterThanOrEqual(16);
      const { login } = await gqlClient(running.url).request(LOGIN, { email: 'admin@localhost', password });
      expect(login.token).toBeTruthy();
    } finally {
      await running.stop();
    }
  });

  it('refuses to start with a bootstrap password that breaks the policy', async () => {
    const dir = tempDir();
    await prepareDatabase(dir);
    await expect(
      startDeskgraph(testConfig(dir, { bootstrap: { email: ADMIN_EMAIL, password: 'weak' } }), { port: 0, log: pino({ level: 'silent' }) }),
    ).rejects.toThrow(/Password needs at least 8 characters/);
  });
});

describe('an unreachable PostgreSQL', () => {
  it('stops start-up with one line naming its host and port, no stack trace', () => {
    const started = spawnSync(process.execPath, ['--import', tsx, join(ROOT, 'bin', 'start.ts')], {
      cwd: tempDir(),
      env: { ...process.env, DATABASE_URL: 'postgres://deskgraph@127.0.0.1:1/deskgraph', JWT_SECRET: 's'.repeat(40) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(started.status).toBe(1);
    expect(started.stderr).toBe('Deskgraph could not start. DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)\n');
    expect(started.stdout).not.toMatch(/\n\s+at /);
  });
});

describe.runIf(engine === 'postgres')('a PostgreSQL that answers but refuses the connection', () => {
  it('stops start-up with one line giving its reason, host and port, no stack trace', () => {
    // The folder's database is never created: the server answers that it does not exist.
    const url = new URL(databaseUrlOf(tempDir()));
    const started = spawnSync(process.execPath, ['--import', tsx, join(ROOT, 'bin', 'start.ts')], {
      cwd: tempDir(),
      env: { ...process.env, DATABASE_URL: url.href, JWT_SECRET: 's'.repeat(40) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(started.status).toBe(1);
    const database = decodeURIComponent(url.pathname.slice(1));
    expect(started.stderr).toBe(`Deskgraph could not start. DATABASE_URL: PostgreSQL at ${url.hostname}:${url.port} refused the connection: database "${database}" does not exist (3D000)\n`);
    expect(started.stdout).not.toMatch(/\n\s+at /);
  });
});

describe('configuration', () => {
  it('generates a missing JWT_SECRET once, keeps it in the data folder, and reuses it', () => {
    const dir = tempDir();
    const env = { DATABASE_URL: join(dir, 'data', 'desk.sqlite') };
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const first = loadConfig(env, log);
    const file = join(dir, 'data', 'jwt-secret');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.jwt.secret);
    expect(first.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig(env, log).jwt.secret).toBe(first.jwt.secret);
    expect(warnings.join('')).toMatch(/JWT_SECRET is not set/);
    expect(loadConfig({ ...env, JWT_SECRET: 'x'.repeat(40) }, log).jwt.secret).toBe('x'.repeat(40));
  });

  it('reads PORT, DATABASE_URL, DATABASE_POOL_SIZE and the limits, and refuses nonsense', () => {
    const dir = tempDir();
    const log = pino({ level: 'silent' });
    const config = loadConfig({ PORT: '5123', DATABASE_URL: join(dir, 'x.sqlite'), JWT_SECRET: 's'.repeat(40), NODE_ENV: 'production' }, log);
    expect(config).toMatchObject({ port: 5123, databaseUrl: join(dir, 'x.sqlite'), production: true, graphiql: false });
    expect(() => loadConfig({ PORT: 'abc', JWT_SECRET: 's'.repeat(40) }, log)).toThrow(/PORT/);
    expect(config).not.toHaveProperty('databasePoolSize');
    expect(loadConfig({ DATABASE_POOL_SIZE: '12', JWT_SECRET: 's'.repeat(40) }, log).databasePoolSize).toBe(12);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0', JWT_SECRET: 's'.repeat(40) }, log)).toThrow(/DATABASE_POOL_SIZE: must be at least 1/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: 'many', JWT_SECRET: 's'.repeat(40) }, log)).toThrow(/DATABASE_POOL_SIZE: must be a number/);
  });

  it('reads the upload limits and folder: 16 MB and the default types in <data dir>/attachments unless set', () => {
    const dir = tempDir();
    const log = pino({ level: 'silent' });
    const base = { DATABASE_URL: join(dir, 'data', 'x.sqlite'), JWT_SECRET: 's'.repeat(40) };
    const defaults = loadConfig(base, log).uploads!;
    expect(defaults).toMatchObject({ maxBytes: 16 * 1024 * 1024, directory: join(dir, 'data', 'attachments') });
    expect(defaults.allowedTypes).toEqual(expect.arrayContaining(['audio/ogg', 'audio/mpeg', 'image/png', 'application/pdf', 'text/plain']));
    const set = loadConfig({ ...base, UPLOAD_MAX_BYTES: '1000', UPLOAD_ALLOWED_TYPES: 'image/PNG, application/pdf', UPLOAD_DIR: join(dir, 'files') }, log).uploads;
    expect(set).toEqual({ maxBytes: 1000, allowedTypes: ['image/png', 'application/pdf'], directory: join(dir, 'files') });
    expect(() => loadConfig({ ...base, UPLOAD_ALLOWED_TYPES: 'pdf' }, log)).toThrow(/UPLOAD_ALLOWED_TYPES/);
    expect(() => loadConfig({ ...base, UPLOAD_MAX_BYTES: '16MB' }, log)).toThrow(/UPLOAD_MAX_BYTES/);
  });
});

describe('npm run seed:demo', () => {
  it('fills an empty database with sectors, agents whose logins it prints, and tickets in every state; a second run adds nothing', async () => {
    const dir = tempDir();
    const env = { ...process.env, DATABASE_URL: await prepareDatabase(dir), BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, JWT_SECRET: 's'.repeat(40) };
    const run = () => execFileSync(process.execPath, ['--import', 'tsx', 'bin/seed-demo.ts'], { cwd: join(import.meta.dirname, '..'), env, encoding: 'utf8' });
    const output = run();
    expect(output).toMatch(/ana@demo\.deskgraph\s+Ana-Demo2024/);
    const app = await startTestApp({}, dir);
    try {
      const { ticketCounts, sectors } = await app.admin.request('{ ticketCounts { waiting open closed } sectors { name } }');
      expect(sectors.map((s: { name: string }) => s.name)).toEqual(['Billing', 'Sales', 'Support']);
      expect(ticketCounts.waiting).toBeGreaterThan(0);
      expect(ticketCounts.closed).toBeGreaterThan(0);
      const { login } = await app.anonymous.request(LOGIN, { email: 'ana@demo.deskgraph', password: 'Ana-Demo2024' });
      const ana = app.as(login.token);
      expect((await ana.request('{ tickets(status: OPEN) { totalCount } }')).tickets.totalCount).toBe(1);
    } finally {
      await app.running.stop();
    }
    expect(run()).toMatch(/already there/);
  });
});

describe('npm start', () => {
  afterEach(killStartedEntries);

  it('serves on PORT with a fresh data folder, and shuts down cleanly on Ctrl-C (SIGINT)', async () => {
    const dir = tempDir();
    // The data folder: beside the SQLite file, or ./data where the server runs for PostgreSQL.
    const env = { PORT: '0', HOST: '127.0.0.1', JWT_SECRET: '', LOG_LEVEL: 'info' };
    const entry =
      engine === 'sqlite'
        ? await startEntry({ ...env, DATABASE_URL: join(dir, 'data', 'deskgraph.sqlite') })
        : await startEntry({ ...env, DATABASE_URL: await prepareDatabase(dir) }, undefined, dir);
    const { url } = entry;
    // Not a terminal: the generated password goes to an owner-only file, never to stdout or stderr.
    const passwordFile = join(dir, 'data', 'initial-admin-password');
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const [fileEmail, password] = readFileSync(passwordFile, 'utf8').trim().split('\n');
    expect(fileEmail).toBe('admin@localhost');
    expect(password!.length).toBeGreaterThanOrEqual(16);
    expect(entry.output()).not.toContain(password);
    expect(entry.output()).toMatch(/"file":"[^"]*initial-admin-password"/);
    expect(existsSync(join(dir, 'data', 'jwt-secret'))).toBe(true);
    expect((await fetch(url.replace('/graphql', '/healthz'))).status).toBe(200);
    const { login } = await gqlClient(url).request(LOGIN, { email: 'admin@localhost', password: password! });
    // JWT_TTL_SECONDS unset: access tokens last 15 minutes (refresh tokens renew them).
    const claims = JSON.parse(Buffer.from(login.token.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(900);

    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { token: login.token } }));
    await new Promise((resolve) => socket.once('message', resolve));
    const socketClosed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));

    expect(await entry.stop('SIGINT')).toBe(0);
    expect(await socketClosed).toBe(1001);
    expect(entry.output()).toMatch(/shutting down/);
    // SQLite removes the WAL file only when the last connection closes cleanly.
    if (engine === 'sqlite') expect(existsSync(join(dir, 'data', 'deskgraph.sqlite-wal'))).toBe(false);
  });
});
