import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = join(import.meta.dirname, '..', '..');
// tsx by absolute URL: a child started in another folder finds it all the same.
export const tsx = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

export interface RunningEntry {
  child: ChildProcess;
  /** The /graphql URL the entry logged once listening. */
  url: string;
  /** Everything it printed so far. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or signal). */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

const started = new Set<ChildProcess>();

/** bin/start.ts through tsx, the sources as they are (`npm start` runs the same entry built: bin/build.mjs). */
export const sourceEntry = ['--import', tsx, join(ROOT, 'bin', 'start.ts')];

/**
 * `npm start` as a newcomer runs it: the entry in a child process, configured by environment only.
 * `cwd` (the repository by default) is where a PostgreSQL server keeps its ./data folder.
 */
export async function startEntry(env: Record<string, string>, timeoutMs = 30_000, cwd = ROOT, entry = sourceEntry): Promise<RunningEntry> {
  const child = spawn(process.execPath, entry, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  exited.then(() => started.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const look = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening:\n${output}`));
    });
  });
  return {
    child,
    url,
    output: () => output,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** For afterEach: kills whatever child a failed test left running. */
export function killStartedEntries(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}
