import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
export { freePort } from '../test/helpers/free-port.js';

// What the HTTP workloads share: servers as child processes, autocannon runs, tokens.

export const root = fileURLToPath(new URL('..', import.meta.url));
export const secret = 'bench-secret-long-enough-for-hs256-0123456789';

// Children die with the bench, even when it fails half-way (an orphan server would skew the next run).
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
// BENCH_CPU_PROFILE=<folder>: every server a bench starts writes a V8 CPU profile there when it stops.
const profiling = process.env['BENCH_CPU_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROFILE']}`] : [];

/** The server as `npm start` runs it (built into one module by bin/build.mjs), built once per bench: arguments for the start functions. */
export function builtServer(): string[] {
  execFileSync(process.execPath, ['bin/build.mjs'], { cwd: root, stdio: 'inherit' });
  return ['--enable-source-maps', 'dist/deskgraph.mjs'];
}

function spawnNode(args: string[], env: Record<string, string>, stdout: 'pipe' | 'ignore'): ChildProcess {
  // A TypeScript entry goes through tsx; the built server (builtServer) through node alone.
  const loader = args.find((arg) => !arg.startsWith('--'))?.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...profiling, ...loader, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface Started {
  child: ChildProcess;
  port: number;
}

/** Spawns `node [--import tsx] <args>` and resolves with the port once stdout matches `ready`. */
export function startProcess(args: string[], env: Record<string, string>, ready: RegExp): Promise<Started> {
  const child = spawnNode(args, env, 'pipe');
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code} before it was ready:\n${output.slice(-2000)}`)));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
  });
}

/** Spawn to the first 200 from `url`: what a restart costs before the service answers. */
export async function startUntilHealthy(args: string[], env: Record<string, string>, url: string): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawnNode(args, env, 'ignore');
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${args[0]} exited before ${url} answered`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { child, ms: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function stop(child: ChildProcess): Promise<void> {
  // A child ended by a signal has a signalCode and no exitCode: its 'exit' has already been emitted.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** User + system CPU of these processes so far, in ms (clock ticks of 10 ms); processes gone count 0. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks * 10;
}

/**
 * CPU of a PostgreSQL cluster so far, in ms: the postmaster, its live children (backends, checkpointer,
 * walwriter...), and the children it has reaped. A backend whose connection closed during a measurement
 * would otherwise take its CPU out of the sum and make the figure fall, even below zero.
 */
export function clusterCpuMs(postmaster: number): number {
  const fields = readFileSync(`/proc/${postmaster}/stat`, 'utf8').split(') ')[1]!.split(' ');
  let ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const child = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(child[1]) === postmaster) ticks += Number(child[11]) + Number(child[12]);
    } catch {
      // exited: its CPU is in the postmaster's reaped children once it is waited for
    }
  }
  return ticks * 10;
}

export const sub = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
export const idOf = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
export const deskgraphToken = (userId: number) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub('User', userId)).setExpirationTime('2h').sign(new TextEncoder().encode(secret));

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  non2xx: number;
}

export type Target = { url: string; method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> };

export const graphqlTarget = (url: string, bearer: string, query: string, variables: Record<string, unknown> = {}): Target => ({
  url,
  method: 'POST',
  body: JSON.stringify({ query, variables }),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
});

/** One autocannon run; `requests` replaces the single request (autocannon's request pipeline). */
export async function load(target: Target, seconds: number, requests?: autocannon.Request[], connections = 20): Promise<Measured> {
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    method: target.method ?? 'GET',
    ...(target.body ? { body: target.body } : {}),
    headers: target.headers ?? {},
    ...(requests ? { requests } : {}),
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, non2xx: result.non2xx };
}

export async function post<T = any>(target: Target): Promise<{ data: T; errors?: unknown[] }> {
  const response = await fetch(target.url, { method: target.method ?? 'GET', ...(target.body ? { body: target.body } : {}), headers: target.headers ?? {} });
  return (await response.json()) as { data: T; errors?: unknown[] };
}
