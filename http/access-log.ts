import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Viewer } from '../resolvers/viewer.js';

interface Seen {
  operation?: string;
  userId?: number;
  integrationId?: number;
}

/**
 * One log line per HTTP request: method, path (never the query string, which may carry a GET
 * operation), status, duration, and the GraphQL operation and viewer when there was one. Tokens
 * and bodies are never logged.
 */
export function createAccessLog(log: Logger) {
  const seen = new WeakMap<IncomingMessage, Seen>();

  const recordOperation: Plugin<{ req?: IncomingMessage; viewer?: Viewer | null }> = {
    onExecute: ({ args }) => {
      const req = args.contextValue.req;
      if (!req) return;
      const operation = getOperationAST(args.document, args.operationName);
      const viewer = args.contextValue.viewer;
      seen.set(req, {
        operation: (operation?.name?.value ?? args.operationName ?? operation?.operation)?.slice(0, 100),
        ...(viewer?.kind === 'user' ? { userId: viewer.userId } : viewer?.kind === 'integration' ? { integrationId: viewer.integrationId } : {}),
      });
    },
  };

  return {
    envelopPlugin: recordOperation as Plugin,
    /** Call when the request arrives; logs once the response is sent or the connection dropped. */
    begin(req: IncomingMessage, res: ServerResponse): void {
      const started = performance.now();
      res.once('close', () => {
        log.info(
          {
            access: true,
            method: req.method,
            path: (req.url ?? '/').split('?')[0],
            status: res.statusCode,
            durationMs: Math.round((performance.now() - started) * 10) / 10,
            ...(res.writableFinished ? {} : { aborted: true }),
            ...seen.get(req),
          },
          'request',
        );
      });
    },
  };
}
