import type { ServerResponse } from 'node:http';
import { readinessOf, serverVersion } from '../resolvers/operations.js';
import type { Services } from '../resolvers/services.js';

/** /readyz: 200 once the database answers and every migration is applied, 503 otherwise. */
export async function serveReadiness(services: Services, res: ServerResponse): Promise<void> {
  const readiness = await readinessOf(services);
  res.writeHead(readiness.ready ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: readiness.ready ? 'ready' : 'not ready', version: serverVersion, checks: { database: readiness.database, pendingMigrations: readiness.pendingMigrations } }));
}
