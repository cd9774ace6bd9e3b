import type { Integration } from '../db/types.js';
import { ConflictError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAdmin } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';

export async function listIntegrations(services: Services, viewer: Viewer | null): Promise<Integration[]> {
  assertAdmin(viewer);
  return services.store.integrations.list(viewer.accountId);
}

/** Registers a bot or channel and returns its token; the token is shown once and never stored. */
export async function createIntegration(services: Services, viewer: Viewer | null, name: string) {
  assertAdmin(viewer);
  const parsedName = rules.parseInput(rules.integrationName, name, 'name');
  const at = services.clock.now();
  const integration = await services.store.write(async (tx) => {
    const created = await tx.integrations.insert({ accountId: viewer.accountId, name: parsedName, createdById: viewer.userId }, at);
    await recordEvent(tx, at, viewer.accountId, 'integration.created', { integrationId: created.id, byUserId: viewer.userId });
    return created;
  });
  const { token, expiresAt } = await services.tokens.issueIntegrationToken(integration.id);
  return { integration, token, expiresAt };
}

export async function revokeIntegration(services: Services, viewer: Viewer | null, integrationId: number): Promise<Integration> {
  assertAdmin(viewer);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const revoked = await tx.integrations.revoke(viewer.accountId, integrationId, at);
    if (!revoked) {
      const existing = await tx.integrations.byId(integrationId);
      if (existing && existing.accountId === viewer.accountId) throw new ConflictError('This integration is already revoked');
      throw new NotFoundError('Integration');
    }
    await recordEvent(tx, at, viewer.accountId, 'integration.revoked', { integrationId, byUserId: viewer.userId });
    return revoked;
  });
}
