import type { IncomingMessage, ServerResponse } from 'node:http';
import { attachmentFor } from '../resolvers/attachments/downloads.js';
import { DomainError } from '../resolvers/errors.js';
import type { Services } from '../resolvers/services.js';
import { createContext } from '../schema/context.js';
import type { DomainPubSub } from '../schema/pubsub.js';

const statusOf: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

/** RFC 6266 filename*: any characters, percent-encoded; the plain `filename` keeps ASCII only. */
function dispositionOf(name: string | null): string {
  if (!name) return 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** GET /attachments/:id with the bearer token: the same context and visibility rule as /graphql (invisible is 404 like missing). */
export async function serveAttachment(services: Services, pubsub: DomainPubSub, req: IncomingMessage, res: ServerResponse, id: string, clientIp: string): Promise<void> {
  try {
    const context = await createContext(services, pubsub, { authorization: req.headers.authorization, clientIp });
    if (context.authError) throw context.authError;
    const file = await attachmentFor(services, context.viewer, id);
    res.writeHead(200, {
      'content-type': file.mime,
      'content-length': file.bytes.length,
      // Served as a download and never sniffed, so an uploaded file cannot run as a page of this origin.
      'content-disposition': dispositionOf(file.name),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
    res.end(file.bytes);
  } catch (error) {
    const known = error instanceof DomainError;
    if (!known) services.log.error({ err: error }, 'attachment download failed');
    res.writeHead(known ? (statusOf[error.code] ?? 409) : 500, { 'content-type': 'application/json' });
    const body = known ? { message: error.message, extensions: { code: error.code, ...error.details } } : { message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    res.end(JSON.stringify({ errors: [body] }));
  }
}
