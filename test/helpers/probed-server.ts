import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { MemoryReading } from '../fixtures/memory-probe.js';

const root = join(import.meta.dirname, '..', '..');

export interface ProbedServer {
  url: string;
  child: ChildProcess;
  /** The server's heap after a forced GC, its RSS and event-loop delay since the last reading. */
  memory(): Promise<MemoryReading>;
  stop(): Promise<void>;
}

/**
 * `npm start` (bin/start.ts) in a child process with --expose-gc and the memory probe plugin, which
 * answers on the IPC channel: the server's own heap, apart from the process driving it.
 */
export function startProbedServer(env: Record<string, string>): Promise<ProbedServer> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bin/start.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PLUGINS: './test/fixtures/memory-probe.ts' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in time:\n${output}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before listening:\n${output}`)));
    child.stdout!.on('data', function listening() {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', listening);
      resolve({
        url: match[1]!,
        child,
        memory: () =>
          new Promise<MemoryReading>((answered, failed) => {
            const onMessage = (message: { memory?: MemoryReading }) => {
              if (!message.memory) return;
              child.off('message', onMessage);
              answered(message.memory);
            };
            child.on('message', onMessage);
            child.send({ probe: 'memory' }, (error) => error && failed(error));
          }),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
          await exited;
        },
      });
    });
  });
}
