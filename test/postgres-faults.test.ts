import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl, engine } from './helpers/engine.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startThrowawayCluster, type Cluster } from './helpers/postgres-cluster.js';

// The cluster under a running server goes away and comes back: requests of that moment fail as
// INTERNAL_SERVER_ERROR, /healthz says 503, and the same process serves again once it is back.
// A cluster of its own, since stopping the shared one would fail every other file.

const SECTORS = '{ sectors { name } }';
const CREATE_SECTOR = 'mutation($name: String!) { createSector(input: { name: $name }) { id } }';

async function healthStatus(app: TestApp): Promise<number> {
  return (await fetch(new URL('/healthz', app.url))).status;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const ends = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > ends) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(engine === 'postgres')('PostgreSQL going away under a running server', () => {
  let cluster: Cluster;
  let app: TestApp;

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    await adminQuery(cluster.adminUrl, 'CREATE DATABASE faults');
    app = await startTestApp({ databaseUrl: databaseUrl(cluster.adminUrl, 'faults') });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    cluster?.stop();
  });

  it('answers INTERNAL_SERVER_ERROR and 503 while it is down, and heals by itself when it is back', async () => {
    await app.admin.request(CREATE_SECTOR, { name: 'Before' });
    expect(await healthStatus(app)).toBe(200);

    cluster.halt();
    await app.admin.expectCode(SECTORS, undefined, 'INTERNAL_SERVER_ERROR');
    await app.admin.expectCode(CREATE_SECTOR, { name: 'During' }, 'INTERNAL_SERVER_ERROR');
    expect(await healthStatus(app)).toBe(503);

    cluster.restart();
    await until(async () => (await healthStatus(app)) === 200, '/healthz to say 200 again');
    await app.admin.request(CREATE_SECTOR, { name: 'After' });
    const { sectors } = await app.admin.request<{ sectors: { name: string }[] }>(SECTORS);
    expect(sectors.map((sector) => sector.name).sort()).toEqual(['After', 'Before']);
  }, 120_000);
});
