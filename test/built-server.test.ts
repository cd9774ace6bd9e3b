import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedEntries, ROOT, startEntry } from './helpers/child.js';
import { engine, prepareDatabase } from './helpers/database.js';
import { gqlClient } from './helpers/gql.js';

// `npm start` runs the server built into one module (bin/build.mjs), not the sources through tsx: what
// the sources find beside them (the migrations, package.json) and a TypeScript plugin file named in
// PLUGINS must work from the bundle too.

const dirs: string[] = [];
afterEach(() => {
  killStartedEntries();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the built server (npm start)', () => {
  it('migrates, answers, loads a TypeScript plugin file and stops cleanly', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-built-'));
    dirs.push(dir);
    // Inside the project: the bundle finds its packages in node_modules from its own folder.
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    const outdir = mkdtempSync(join(ROOT, 'dist', 'test-'));
    dirs.push(outdir);
    await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'build.mjs'), '--outdir', outdir], { cwd: ROOT });
    const env = {
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: engine === 'sqlite' ? join(dir, 'desk.sqlite') : await prepareDatabase(dir),
      JWT_SECRET: 'built-server-test-secret-long-enough-for-hs256-0123', BOOTSTRAP_ADMIN_PASSWORD: 'Admin-Passw0rd',
      PLUGINS: './plugins/examples/sla.ts', SLA_MINUTES: '20', LOG_LEVEL: 'info',
    };
    const entry = await startEntry(env, 30_000, ROOT, ['--enable-source-maps', join(outdir, 'deskgraph.mjs')]);

    const health = await (await fetch(entry.url.replace(/\/graphql$/, '/healthz'))).json();
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(health).toEqual({ status: 'ok', version });

    // Signing in reads the tables the migrations made; the plugin's field comes from its own variable.
    const { login } = await gqlClient(entry.url).request('mutation { login(email: "admin@localhost", password: "Admin-Passw0rd") { token } }');
    const admin = gqlClient(entry.url, login.token);
    const { ingestMessage } = await admin.request('mutation { ingestMessage(input: { contact: { phone: "5511900003333" }, body: "hi" }) { createdAt slaDueAt } }');
    expect(new Date(ingestMessage.slaDueAt).getTime() - new Date(ingestMessage.createdAt).getTime()).toBe(20 * 60_000);

    expect(await entry.stop('SIGTERM')).toBe(0);
  });
});
