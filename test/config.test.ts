import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { databaseUrlOf, engine, prepareDatabase, withTestDatabase } from './helpers/database.js';
import { createAgent } from './helpers/fixtures.js';

const root = join(import.meta.dirname, '..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the real entry (`bin/start.ts`) with only these variables; it must exit on its own. */
async function startWith(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'deskgraph-config-'));
  dirs.push(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: await prepareDatabase(dir), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, dir })));
}

/** Start-up stopped before the database: no SQLite file made; on PostgreSQL, no account bootstrapped. */
async function databaseUntouched(dir: string): Promise<boolean> {
  if (engine === 'sqlite') return !existsSync(databaseUrlOf(dir));
  const [row] = await withTestDatabase(databaseUrlOf(dir), (db) => db.rows<{ n: number }>('SELECT count(*) AS n FROM accounts'), { readonly: true });
  return row!.n === 0;
}

describe('configuration checked as a whole at start', () => {
  it('a bad LOG_LEVEL stops start-up with its message, exit code 1 and no stack trace', async () => {
    const run = await startWith({ LOG_LEVEL: 'verbose', JWT_SECRET: 's'.repeat(40) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/);
    expect(run.stderr + run.stdout).not.toMatch(/\n\s+at /);
    expect(await databaseUntouched(run.dir)).toBe(true);
  });

  it('a PLATFORM_TOKEN_SHA256 that is no list of SHA-256 digests stops start-up naming it', async () => {
    const run = await startWith({ PLATFORM_TOKEN_SHA256: 'dgp_the-token-itself', JWT_SECRET: 's'.repeat(40) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PLATFORM_TOKEN_SHA256: must be a comma list of SHA-256 digests/);
    expect(await databaseUntouched(run.dir)).toBe(true);
  });

  it('a bad time zone stops start-up before the database is created', async () => {
    const run = await startWith({ BOOTSTRAP_TIME_ZONE: 'Mars/Base', JWT_SECRET: 's'.repeat(40) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/BOOTSTRAP_TIME_ZONE: Unknown IANA time zone/);
    expect(run.stderr + run.stdout).not.toMatch(/\n\s+at /);
    expect(await databaseUntouched(run.dir)).toBe(true);
  });

  it('production refuses to start without JWT_SECRET, and generates no secret', async () => {
    const run = await startWith({ NODE_ENV: 'production' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/JWT_SECRET: is required in production/);
    // The data folder is the SQLite file's; a PostgreSQL server's is ./data of the repository.
    if (engine === 'sqlite') expect(existsSync(join(run.dir, 'jwt-secret'))).toBe(false);
    expect(await databaseUntouched(run.dir)).toBe(true);
  });

  it('a REDIS_URL that is not a redis:// or rediss:// URL stops start-up with its message', async () => {
    const run = await startWith({ REDIS_URL: 'http://127.0.0.1:6379', JWT_SECRET: 's'.repeat(40) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(await databaseUntouched(run.dir)).toBe(true);
  });

  it('a REDIS_PREFIX with a colon or a space stops start-up with its message', async () => {
    const run = await startWith({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: 'team a:prod', JWT_SECRET: 's'.repeat(40) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/REDIS_PREFIX: must be 1-64 letters, digits, dots, dashes or underscores/);
    expect(await databaseUntouched(run.dir)).toBe(true);
  });

  it('names every bad variable at once, one line each', async () => {
    const run = await startWith({
      PORT: 'eighty',
      TRUST_PROXY: 'yes',
      JWT_SECRET: 'short',
      JWT_JWKS_URL: 'not a url',
      BOOTSTRAP_ADMIN_EMAIL: 'nobody',
      BOOTSTRAP_ADMIN_PASSWORD: 'weak',
      SHUTDOWN_GRACE_MS: '-1',
    });
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter((line) => /^\s+[A-Z_]+: /.test(line));
    expect(lines.map((line) => line.trim().split(':')[0]).sort()).toEqual(
      ['BOOTSTRAP_ADMIN_EMAIL', 'BOOTSTRAP_ADMIN_PASSWORD', 'JWT_JWKS_URL', 'JWT_SECRET', 'PORT', 'SHUTDOWN_GRACE_MS', 'TRUST_PROXY'],
    );
    expect(run.stderr).toMatch(/PORT: must be a number/);
    expect(run.stderr).toMatch(/TRUST_PROXY: must be true or false/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('updateAccount', () => {
  let app: TestApp;
  afterAll(async () => app?.stop());
  const UPDATE = 'mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { id name timeZone locale } }';

  it('an ADMIN changes name, time zone and locale; every agent reads them', async () => {
    app = await startTestApp();
    const { updateAccount } = await app.admin.request(UPDATE, { input: { name: 'Acme Support', timeZone: 'America/Sao_Paulo', locale: 'pt-BR' } });
    expect(updateAccount).toMatchObject({ name: 'Acme Support', timeZone: 'America/Sao_Paulo', locale: 'pt-BR' });
    const agent = await createAgent(app, 'Ana', []);
    expect((await agent.client.request('{ account { name timeZone locale } }')).account).toEqual({
      name: 'Acme Support',
      timeZone: 'America/Sao_Paulo',
      locale: 'pt-BR',
    });
    // Monitoring's "today" now starts at midnight in the new zone (UTC-3, no DST).
    const { monitoring } = await app.admin.request('{ monitoring { since } }');
    expect(new Date(monitoring.since).getUTCHours()).toBe(3);
  });

  it('an unknown zone, a bad locale or an empty name is BAD_USER_INPUT naming the field, and changes nothing', async () => {
    const before = await app.snapshot();
    await app.admin.expectCode(UPDATE, { input: { timeZone: 'Mars/Base' } }, 'BAD_USER_INPUT', 'input.timeZone');
    await app.admin.expectCode(UPDATE, { input: { name: 'Still fine', locale: 'not a locale!' } }, 'BAD_USER_INPUT', 'input.locale');
    await app.admin.expectCode(UPDATE, { input: { name: '  ' } }, 'BAD_USER_INPUT', 'input.name');
    await app.admin.expectCode(UPDATE, { input: { timeZone: null } }, 'BAD_USER_INPUT', 'input.timeZone');
    expect(await app.snapshot()).toBe(before);
  });

  it('a USER may not change the account', async () => {
    const agent = await createAgent(app, 'Bia', []);
    const before = await app.snapshot();
    await agent.client.expectCode(UPDATE, { input: { name: 'Mine now' } }, 'FORBIDDEN');
    await app.anonymous.expectCode(UPDATE, { input: { name: 'Mine now' } }, 'UNAUTHENTICATED');
    expect(await app.snapshot()).toBe(before);
  });
});
