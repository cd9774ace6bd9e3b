import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';

// A redis-server of the test's own (Debian's binary): loopback, a free port, no persistence, a temp
// folder; stop() and restart() on the same port stand in for an outage of the platform's Redis.

/** redis-server on PATH, else Debian's /usr/bin/redis-server; null when not installed. */
export function redisServerBinary(): string | null {
  const folders = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  return folders.map((folder) => join(folder, 'redis-server')).find((path) => existsSync(path)) ?? null;
}

/**
 * Why the Redis tests cannot run here, or null when they can. Only a developer's machine may skip them:
 * in CI (.ci/run installs redis-server) a missing binary fails the tests instead.
 */
export const redisUnavailable: string | null =
  redisServerBinary() === null && !process.env['CI'] ? 'redis-server is not installed (apt-get install redis-server; .ci/run does it in CI)' : null;

export interface RedisServer {
  url: string;
  port: number;
  /** Ends the server (SIGKILL: an outage, not a shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops it for good and removes its folder. */
  remove(): Promise<void>;
}

function launch(binary: string, port: number, folder: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder, '--daemonize', 'no', '--loglevel', 'notice'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not get ready in 10 s:\n${output}`));
    }, 10_000);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    });
  });
}

function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const folder = mkdtempSync(join(tmpdir(), 'deskgraph-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = await launch(binary, port, folder);
  // A run that ends without reaching remove() must not leave a server behind.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    if (!child) return;
    const running = child;
    child = null;
    running.kill('SIGKILL');
    await ended(running);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      child = await launch(binary, port, folder);
    },
    async remove() {
      await stop();
      process.removeListener('exit', killOnExit);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
