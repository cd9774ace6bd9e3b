import type { CORSOptions } from 'graphql-yoga';

/** CORS_ORIGINS: exact origins (scheme://host[:port]) allowed to call from a browser, or '*' for any. */
export type CorsOrigins = readonly string[] | '*';

/**
 * The yoga CORS policy: a listed origin is echoed and may send credentials; with '*' any origin
 * may call, never with credentials; an unlisted origin gets no CORS headers, so browsers refuse.
 */
export function corsPolicy(origins: CorsOrigins): (request: Request) => CORSOptions {
  const allowed = new Set(origins === '*' ? [] : origins);
  const common = { methods: ['GET', 'POST', 'OPTIONS'], maxAge: 600 };
  return (request) => {
    const origin = request.headers.get('origin');
    if (origins === '*') return { ...common, origin: '*', credentials: false };
    if (origin && allowed.has(origin)) return { ...common, origin: [origin], credentials: true };
    return false;
  };
}
