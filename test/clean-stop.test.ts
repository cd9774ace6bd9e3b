import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from './helpers/database.js';

const root = join(import.meta.dirname, '..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first match of `pattern` in what the child has written so far or writes next. */
function waitFor(child: ChildProcess, output: { text: string }, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output.text);
      if (match) {
        child.stdout!.off('data', check);
        clearTimeout(timer);
        resolve(match);
      }
    };
    const timer = setTimeout(() => reject(new Error(`${pattern} never appeared:\n${output.text}`)), 20_000);
    child.stdout!.on('data', check);
    check();
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('runs one node process that, on SIGTERM to npm, refuses new requests, finishes the running one, and exits freeing the port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-stop-'));
    dirs.push(dir);
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: await prepareDatabase(dir),
        JWT_SECRET: 's'.repeat(40),
        BOOTSTRAP_ADMIN_PASSWORD: 'Admin-Passw0rd',
        PLUGINS: './test/fixtures/slow-plugin.ts',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    npm.stdout!.on('data', (chunk) => (output.text += chunk));
    npm.stderr!.on('data', (chunk) => (output.text += chunk));
    const npmExited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));

    const listening = await waitFor(npm, output, /"pid":(\d+).*"url":"(http:\/\/[^"]+)\/graphql"/);
    const serverPid = Number(listening[1]);
    const base = listening[2]!;
    const port = Number(new URL(base).port);
    // The server is the node process npm started itself: no shell or tsx wrapper in between.
    const parentPid = Number(readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    expect(parentPid).toBe(npm.pid);

    const slow = fetch(`${base}/plugins/slow/wait?ms=1500`).then(async (response) => ({ status: response.status, body: await response.json() }));
    await waitFor(npm, output, /slow request started/);

    // What a terminal or a supervisor does: signal npm, which passes it to its child.
    npm.kill('SIGTERM');
    await waitFor(npm, output, /shutting down/);
    // A new connection is refused while the running request is still being served.
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    expect(await slow).toEqual({ status: 200, body: { waited: 1500 } });
    await npmExited;
    await expect.poll(() => alive(serverPid)).toBe(false);
    expect(await portIsFree(port)).toBe(true);
    expect(output.text).not.toMatch(/shutdown failed/);
  });
});
