import type { IncomingMessage } from 'node:http';

// A JSON POST is read here and handed to yoga parsed, as Express's json() middleware does (whatwg-node
// takes `req.body`): no stream pipeline and body-limit transform per request, ~6% of a tab page's CPU.
// server.ts has bounded the size by Content-Length before; other bodies still stream to yoga.

/** The content types yoga parses as JSON, matched as yoga does. */
export function isJsonPost(req: IncomingMessage): boolean {
  const type = req.headers['content-type']?.split(',')[0];
  return req.method === 'POST' && type !== undefined && (type === 'application/json' || type.startsWith('application/json;'));
}

/**
 * Reads the body, then sets `req.body`: the parsed object, or the text itself when yoga must judge
 * it (invalid JSON, no object, no keys), so its answers to those stay exactly as before.
 */
export function readJsonBody(req: IncomingMessage & { body?: unknown }, then: (body: unknown) => void): void {
  const chunks: Buffer[] = [];
  // A client gone mid-body: nothing to answer (without a listener the error would end the process).
  req.once('error', () => req.socket.destroy());
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    req.body = parsed !== null && typeof parsed === 'object' && Object.keys(parsed).length > 0 ? parsed : text;
    then(req.body);
  });
}
