import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '../resolvers/errors.js';
import type { Services } from '../resolvers/services.js';
import { ticketTranscriptPdf } from '../resolvers/transcript.js';
import { createContext } from '../schema/context.js';
import { localIdOf } from '../schema/ids.js';
import type { DomainPubSub } from '../schema/pubsub.js';

const statusOf: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

/** GET /tickets/:id/transcript.pdf with the bearer token: the same context and rules as /graphql. */
export async function serveTranscript(
  services: Services,
  pubsub: DomainPubSub,
  req: IncomingMessage,
  res: ServerResponse,
  globalId: string,
  clientIp: string,
): Promise<void> {
  try {
    const context = await createContext(services, pubsub, { authorization: req.headers.authorization, clientIp });
    if (context.authError) throw context.authError;
    const notes = new URL(req.url ?? '/', 'http://local').searchParams.get('notes') === '1';
    let id: string;
    try {
      id = decodeURIComponent(globalId);
    } catch {
      id = '';
    }
    const { pdf, filename } = await ticketTranscriptPdf(services, context.viewer, localIdOf('Ticket', id, 'id'), { notes });
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length, 'content-disposition': `inline; filename="${filename}"`, 'cache-control': 'private, no-store' });
    res.end(pdf);
  } catch (error) {
    const known = error instanceof DomainError;
    if (!known) services.log.error({ err: error }, 'transcript failed');
    res.writeHead(known ? (statusOf[error.code] ?? 409) : 500, { 'content-type': 'application/json' });
    const body = known ? { message: error.message, extensions: { code: error.code, ...error.details } } : { message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    res.end(JSON.stringify({ errors: [body] }));
  }
}
