import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes (a multipart body holds files). */
  raw: Buffer;
}

/** A real HTTP receiver on loopback: records every request and answers `status` (changeable). */
export async function startReceiver(options: { status?: number; delayMs?: number } = {}) {
  const received: Received[] = [];
  let status = options.status ?? 200;
  // Statuses for the next requests, in order, taken as each arrives (so no race with `answer`).
  const queued: number[] = [];
  const waiters: Array<() => void> = [];
  // While set, answers wait for it: the sender stays busy with the requests in flight.
  let held: Promise<void> | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw.toString('utf8'), raw });
      const next = queued.shift();
      for (const wake of waiters.splice(0)) wake();
      const reply = () =>
        setTimeout(() => {
          res.writeHead(next ?? status, { 'content-type': 'application/json' });
          res.end('{}');
        }, options.delayMs ?? 0);
      if (held) void held.then(reply);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    answer(next: number) {
      status = next;
    },
    /** The next requests get these statuses, one each, then `status` again. */
    answerNext(...statuses: number[]) {
      queued.push(...statuses);
    },
    /** Requests from now on are not answered until the returned release is called. */
    holdAnswers(): () => void {
      let release = () => {};
      held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held = null;
        release();
      };
    },
    /** Waits until `predicate` holds over what was received (or fails after `timeoutMs`). */
    async until(predicate: (all: Received[]) => boolean, timeoutMs = 10_000): Promise<Received[]> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met in ${timeoutMs} ms; got ${received.length} requests`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
