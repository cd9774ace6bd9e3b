import type { Integration, IntegrationScope } from '../db/types.js';
import { newIntegrationToken } from './auth/integration-tokens.js';
import { ConflictError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAdmin } from './permissions.js';
import type { Services } from './services.js';
import type { IntegrationViewer, Viewer } from './viewer.js';

/** A token as handed to the ADMIN: shown this once, Deskgraph keeps only its hash. */
export interface IntegrationToken {
  integration: Integration;
  token: string;
}

export async function listIntegrations(services: Services, viewer: Viewer | null): Promise<Integration[]> {
  assertAdmin(viewer);
  return services.store.integrations.list(viewer.accountId);
}

/** Registers a bot or channel with what its token may do (INGEST unless told otherwise). */
export async function createIntegration(
  services: Services,
  viewer: Viewer | null,
  input: { name: string; scopes?: readonly IntegrationScope[] | null },
): Promise<IntegrationToken> {
  assertAdmin(viewer);
  const name = rules.parseInput(rules.integrationName, input.name, 'name');
  const scopes = rules.parseInput(rules.integrationScopes, input.scopes ?? ['INGEST'], 'scopes');
  const { token, stored } = newIntegrationToken();
  const at = services.clock.now();
  const integration = await services.store.write(async (tx) => {
    const created = await tx.integrations.insert({ accountId: viewer.accountId, name, scopes, createdById: viewer.userId, ...stored }, at);
    await recordEvent(tx, at, viewer.accountId, 'integration.created', { integrationId: created.id, byUserId: viewer.userId });
    return created;
  });
  return { integration, token };
}

/** A new token for a live integration; the old one (or an integration's old JWTs) stops working at once. */
export async function rotateIntegrationToken(services: Services, viewer: Viewer | null, integrationId: number): Promise<IntegrationToken> {
  assertAdmin(viewer);
  const { token, stored } = newIntegrationToken();
  const at = services.clock.now();
  const integration = await services.store.write(async (tx) => {
    const rotated = await tx.integrations.replaceToken(viewer.accountId, integrationId, stored);
    if (!rotated) throw await whyNotLive(tx.integrations, viewer.accountId, integrationId, 'A revoked integration cannot get a new token');
    await recordEvent(tx, at, viewer.accountId, 'integration.rotated', { integrationId, byUserId: viewer.userId });
    return rotated;
  });
  return { integration, token };
}

export async function revokeIntegration(services: Services, viewer: Viewer | null, integrationId: number): Promise<Integration> {
  assertAdmin(viewer);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const revoked = await tx.integrations.revoke(viewer.accountId, integrationId, at);
    if (!revoked) throw await whyNotLive(tx.integrations, viewer.accountId, integrationId, 'This integration is already revoked');
    await recordEvent(tx, at, viewer.accountId, 'integration.revoked', { integrationId, byUserId: viewer.userId });
    return revoked;
  });
}

/** A conditional write on a live integration changed nothing: it is revoked (CONFLICT) or not ours (NOT_FOUND). */
async function whyNotLive(reads: Services['store']['integrations'], accountId: number, integrationId: number, revokedMessage: string) {
  const existing = await reads.byId(integrationId);
  if (existing && existing.accountId === accountId) return new ConflictError(revokedMessage);
  return new NotFoundError('Integration');
}

/**
 * The integration a plugin acts through in an account ("plugin:<name>"), created on first use. Its
 * token is never shown, so nobody outside the process can use it.
 */
export async function pluginIntegrationOf(services: Services, pluginName: string, accountId: number): Promise<IntegrationViewer> {
  const name = `plugin:${pluginName}`;
  const existing = (await services.store.integrations.list(accountId)).find((row) => row.name === name && !row.revokedAt);
  const id =
    existing?.id ??
    (await services.store.write(async (tx) => {
      const at = services.clock.now();
      const created = await tx.integrations.insert({ accountId, name, scopes: ['INGEST', 'READ'], createdById: null, ...newIntegrationToken().stored }, at);
      await recordEvent(tx, at, accountId, 'integration.created', { integrationId: created.id, byUserId: null });
      return created.id;
    }));
  return { kind: 'integration', integrationId: id, accountId, scopes: ['INGEST', 'READ'] };
}
