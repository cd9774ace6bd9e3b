import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** A live stream (SSE) never finishes by itself: it is cut at the end of the drain, not waited for. */
function isStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

/**
 * Graceful stop for one node:http server: once draining, new requests are refused (503, connection
 * closed) and the listener stops accepting; requests already running finish up to a deadline.
 */
export function trackInFlight(server: Server) {
  let draining = false;
  const running = new Set<ServerResponse>();
  let settled: (() => void) | null = null;

  return {
    /** Call first in the request handler; false means the request was refused. */
    admit(req: IncomingMessage, res: ServerResponse): boolean {
      if (draining) {
        res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
        res.end('{"errors":[{"message":"Server is shutting down","extensions":{"code":"SHUTTING_DOWN"}}]}');
        return false;
      }
      if (isStream(req)) return true;
      running.add(res);
      res.once('close', () => {
        running.delete(res);
        if (running.size === 0) settled?.();
      });
      return true;
    },

    get draining(): boolean {
      return draining;
    },

    /** Stops accepting, waits for running requests (at most `deadlineMs`), then closes every connection. */
    async drain(deadlineMs: number): Promise<void> {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (running.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (settled = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs))),
        ]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
