import type { ServerResponse } from 'node:http';
import { readinessOf, serverVersion } from '../resolvers/operations.js';
import type { Services } from '../resolvers/services.js';
import type { RedisHealth } from '../schema/redis-connection.js';

/**
 * /readyz: 200 once the database answers and every migration is applied, 503 otherwise. Redis is shown, not
 * required: its outage hits every instance at once, and each still serves its own subscribers.
 */
export async function serveReadiness(services: Services, res: ServerResponse, redis?: RedisHealth): Promise<void> {
  const readiness = await readinessOf(services);
  const checks = { database: readiness.database, pendingMigrations: readiness.pendingMigrations, ...(redis ? { redis: redis.state } : {}) };
  res.writeHead(readiness.ready ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: readiness.ready ? 'ready' : 'not ready', version: serverVersion, checks }));
}
