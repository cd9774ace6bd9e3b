import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../http-kit.js';

// A throwaway PostgreSQL cluster for the peer, on loopback only, under bench/data/pg. It is the
// machine's Debian server (installed with apt-get when missing); the cluster is ours alone, so it
// never touches a system cluster another engineer may use.

export interface Cluster {
  dir: string;
  port: number;
  bin: string;
  /**
   * Runs commands (SQL or one psql backslash command each) as the superuser in one psql session,
   * stopping at the first error; `input` feeds `\copy ... FROM pstdin`. Returns stdout.
   */
  psql(commands: string | string[], options?: { database?: string; input?: NodeJS.ReadableStream }): Promise<string>;
  stop(): void;
}

const superuser = 'postgres';

/** The newest installed server's bin folder; installs the Debian package when there is none. */
export function serverBinaries(log: (line: string) => void): string {
  const find = () => {
    const root = '/usr/lib/postgresql';
    const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
    versions.sort((a, b) => Number(b) - Number(a));
    return versions[0] ? join(root, versions[0], 'bin') : null;
  };
  const found = find();
  if (found) return found;
  log('PostgreSQL server binaries missing: apt-get install postgresql');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql', 'postgresql-contrib'], { stdio: 'inherit', env });
  const installed = find();
  if (!installed) throw new Error('apt-get install postgresql did not provide /usr/lib/postgresql/*/bin/postgres');
  return installed;
}

// initdb and postgres refuse to run as root: as root we run them as the postgres system user
// (created by the Debian package), which must own the data folder.
const asRoot = process.getuid?.() === 0;
function runAsServerUser(bin: string, args: string[]): void {
  const [command, argv] = asRoot ? ['runuser', ['-u', superuser, '--', bin, ...args]] : [bin, args];
  const result = spawnSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

function chownToServerUser(path: string): void {
  if (!asRoot) return;
  const id = (flag: string) => Number(execFileSync('id', [flag, superuser], { encoding: 'utf8' }).trim());
  chownSync(path, id('-u'), id('-g'));
}

// Settings an expert gives a dedicated OLTP box of this size (2 cores, plenty of RAM shared with
// other work): data in shared buffers, no JIT for sub-millisecond queries, SSD-like page costs,
// and minimal WAL so COPY into a table created in the same transaction skips the log.
const settings = `
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 50
shared_buffers = 1GB
effective_cache_size = 4GB
work_mem = 16MB
maintenance_work_mem = 512MB
random_page_cost = 1.1
effective_io_concurrency = 200
jit = off
# Measured on the 1M dataset under 20 connections: tab counts 28-31 req/s with parallel workers, 45-51
# without (starting workers costs more than they save on 2 cores already busy with other queries).
max_parallel_workers_per_gather = 0
wal_level = minimal
max_wal_senders = 0
max_wal_size = 8GB
checkpoint_timeout = 30min
synchronous_commit = off
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql.log'
log_min_messages = warning
session_preload_libraries = 'auto_explain'
auto_explain.log_min_duration = -1
auto_explain.log_format = text
`;

/** Creates the cluster in `dir` (when absent) and starts it on a free loopback port. */
export async function startCluster(dir: string, log: (line: string) => void): Promise<Cluster> {
  const bin = serverBinaries(log);
  const data = join(dir, 'cluster');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(data, 'PG_VERSION'))) {
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data);
    chownToServerUser(data);
    // Trust on loopback only: the cluster listens on 127.0.0.1 and lives for one bench run.
    runAsServerUser(join(bin, 'initdb'), ['-D', data, '-U', superuser, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    writeFileSync(join(data, 'postgresql.conf'), `${readFileSync(join(data, 'postgresql.conf'), 'utf8')}\ninclude_if_exists = 'bench.conf'\n`);
  }
  // Rewritten at every start, so a cached cluster follows changes to the settings above.
  writeFileSync(join(data, 'bench.conf'), `# written by bench/peer/postgres.ts\n${settings}`);
  // A cluster left running by an interrupted run is stopped first; its port is stale.
  if (existsSync(join(data, 'postmaster.pid'))) {
    try {
      runAsServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    } catch {
      rmSync(join(data, 'postmaster.pid'), { force: true });
    }
  }
  const port = await freePort();
  runAsServerUser(join(bin, 'pg_ctl'), ['-D', data, '-o', `-p ${port}`, '-w', '-t', '120', '-l', join(data, 'startup.log'), 'start']);
  let stopped = false;
  const cluster: Cluster = {
    dir,
    port,
    bin,
    psql(commands, options = {}) {
      const list = typeof commands === 'string' ? [commands] : commands;
      const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', superuser, '-d', options.database ?? 'postgres', '-At'];
      const child = spawn(join(bin, 'psql'), [...args, ...list.flatMap((command) => ['-c', command])], {
        stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      if (options.input) options.input.pipe(child.stdin!);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk) => (stdout += chunk));
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      return new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`psql failed (${code}): ${stderr}\n${list.join('\n').slice(0, 300)}`))));
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      runAsServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
  };
  // The cluster must not outlive the bench, even when it fails half-way.
  process.once('exit', () => {
    try {
      cluster.stop();
    } catch {
      // already stopped
    }
  });
  return cluster;
}

/** The server log (auto_explain writes plans there). */
export function serverLog(cluster: Cluster): string {
  const file = join(cluster.dir, 'cluster', 'log', 'postgresql.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
