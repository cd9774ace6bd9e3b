import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { PluginRoute } from './host.js';

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', ...headers });
  res.end(text);
}

async function bodyOf(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Serves /plugins/<name>/<path>; a throwing handler answers 500 and is logged, nothing else breaks. */
export function pluginRouter(routes: readonly PluginRoute[], log: Logger, bodyLimitBytes: number) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const match = /^\/plugins\/([a-z][a-z0-9-]*)(\/.*)?$/.exec(url.pathname);
    const candidates = match ? routes.filter((r) => r.plugin === match[1] && r.path === (match[2] ?? '/')) : [];
    if (candidates.length === 0) return answer(res, 404, { error: 'Not found' });
    const route = candidates.find((r) => r.method === req.method);
    if (!route) return answer(res, 405, { error: 'Method not allowed' }, { allow: candidates.map((r) => r.method).join(', ') });
    const body = await bodyOf(req, bodyLimitBytes);
    if (body === null) return answer(res, 413, { error: `Request body is limited to ${bodyLimitBytes} bytes` });
    try {
      const response = await route.handler({ method: req.method ?? 'GET', path: route.path, query: url.searchParams, headers: req.headers, body });
      answer(res, response.status, response.body, response.headers);
    } catch (error) {
      log.error({ err: error, plugin: route.plugin, path: route.path }, 'plugin route failed');
      if (!res.headersSent) answer(res, 500, { error: 'Internal error' });
    }
  };
}
