import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../db/store.js';
import { adminQuery, databaseUrl, engine, postgresBinaries, quoted, type PostgresTestCluster } from './engine.js';
import { freePort } from './free-port.js';

// Vitest global setup. On DESKGRAPH_TEST_ENGINE=postgres it finds a cluster (DESKGRAPH_TEST_POSTGRES_URL,
// or a throwaway one it starts), migrates one template database, and hands both to the test files,
// which copy the template into a fresh database per app. Teardown drops them all, or the whole cluster.

export interface Cluster {
  adminUrl: string;
  /** Stops the server and deletes its folder. */
  stop(): void;
  /** Stops the server (fast shutdown: open connections are cut) and keeps its data, for restart(). */
  halt(): void;
  /** Starts the halted server again on the same port and data. */
  restart(): void;
}

/** initdb refuses root: as root, the cluster belongs to the postgres user and its commands run as that user. */
function asClusterOwner(folder: string): (command: string, args: string[]) => void {
  if (process.getuid?.() !== 0) return (command, args) => void execFileSync(command, args, { stdio: 'pipe' });
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(folder, uid, gid);
  // runuser lives in sbin, which a non-login PATH may lack.
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path)) ?? 'runuser';
  return (command, args) => void execFileSync(runuser, ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' });
}

/** A cluster of our own in a temporary folder: trust auth on loopback only, no fsync, room for parallel files. */
export async function startThrowawayCluster(): Promise<Cluster> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('DESKGRAPH_TEST_ENGINE=postgres: no initdb on PATH or in /usr/lib/postgresql/*/bin; install PostgreSQL or set DESKGRAPH_TEST_POSTGRES_URL');
  const folder = mkdtempSync(join(tmpdir(), 'deskgraph-pg-'));
  const data = join(folder, 'data');
  let stopped = false;
  const run = asClusterOwner(folder);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      if (existsSync(join(data, 'postmaster.pid'))) run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };
  // Teardown runs after failed tests too; this covers a run that ends without reaching it.
  process.once('exit', stop);
  try {
    run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions']);
    const port = await freePort();
    const options = ['-p', String(port), '-k', folder, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=400'];
    const start = () => run(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-t', '60', '-l', join(folder, 'postgres.log'), '-o', options.join(' ')]);
    start();
    return {
      adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop,
      halt: () => run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']),
      restart: start,
    };
  } catch (error) {
    const log = join(folder, 'postgres.log');
    const said = existsSync(log) ? `\n${readFileSync(log, 'utf8')}` : '';
    stop();
    throw said ? new Error(`${(error as Error).message}${said}`, { cause: error }) : error;
  }
}

async function dropDatabasesOf(adminUrl: string, prefix: string): Promise<void> {
  const names = await adminQuery<{ datname: string }>(adminUrl, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
  for (const { datname } of names) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoted(datname)} WITH (FORCE)`);
}

interface RunningCluster {
  provided: PostgresTestCluster;
  teardown(): Promise<void>;
}

async function startForRun(): Promise<RunningCluster> {
  const given = process.env['DESKGRAPH_TEST_POSTGRES_URL'];
  const cluster = given ? { adminUrl: given, stop: () => undefined } : await startThrowawayCluster();
  const prefix = `dgtest_${Date.now().toString(36)}_${process.pid}`;
  const template = `${prefix}_template`;
  try {
    await adminQuery(cluster.adminUrl, `CREATE DATABASE ${quoted(template)}`);
    // openStore migrates; closed again, since CREATE DATABASE ... TEMPLATE needs the template unused.
    const store = await openStore({ url: databaseUrl(cluster.adminUrl, template) });
    await store.close();
  } catch (error) {
    await dropDatabasesOf(cluster.adminUrl, prefix).catch(() => undefined);
    cluster.stop();
    throw error;
  }
  return {
    provided: { adminUrl: cluster.adminUrl, template, prefix },
    async teardown() {
      try {
        if (given) await dropDatabasesOf(cluster.adminUrl, prefix);
      } finally {
        cluster.stop();
      }
    },
  };
}

// Each vitest project runs its global setup, each in a module of its own: the run's one cluster is kept on
// the process, and the last project to finish removes it.
const runKey = Symbol.for('deskgraph.test.postgresCluster');
type RunHolder = { [runKey]?: { running: Promise<RunningCluster>; projects: number } };

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (engine !== 'postgres') {
    project.provide('postgres', null);
    return undefined;
  }
  const holder = globalThis as RunHolder;
  const shared = (holder[runKey] ??= { running: startForRun(), projects: 0 });
  shared.projects += 1;
  const { provided, teardown } = await shared.running;
  project.provide('postgres', provided);
  return async () => {
    shared.projects -= 1;
    if (shared.projects > 0) return;
    delete holder[runKey];
    await teardown();
  };
}
