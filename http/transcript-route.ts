import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '../resolvers/errors.js';
import type { Services } from '../resolvers/services.js';
import { ticketTranscriptPdf } from '../resolvers/transcript.js';
import { createContext } from '../schema/context.js';
import { localIdOf } from '../schema/ids.js';
import type { DomainPubSub } from '../schema/pubsub.js';

const statusOf: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

/** This server's address as the client reached it, for absolute links in the PDF (behind a proxy, as the proxy says). */
function baseUrlOf(req: IncomingMessage, trustProxy: boolean): string | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  const host = (trustProxy && first(req.headers['x-forwarded-host'])) || req.headers.host;
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return undefined;
  const proto = (trustProxy && first(req.headers['x-forwarded-proto'])) || ('encrypted' in req.socket ? 'https' : 'http');
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}

/** GET /tickets/:id/transcript.pdf with the bearer token: the same context and rules as /graphql. */
export async function serveTranscript(
  services: Services,
  pubsub: DomainPubSub,
  req: IncomingMessage,
  res: ServerResponse,
  globalId: string,
  clientIp: string,
  trustProxy = false,
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
    const { pdf, filename } = await ticketTranscriptPdf(services, context.viewer, localIdOf('Ticket', id, 'id'), { notes, baseUrl: baseUrlOf(req, trustProxy) });
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
