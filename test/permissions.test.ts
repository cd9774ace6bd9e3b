import { describe, expect, it } from 'vitest';
import { assertAdmin, assertAgent, assertIngestion, assertTicketReader } from '../resolvers/permissions.js';
import type { IntegrationViewer, UserViewer, Viewer } from '../resolvers/viewer.js';

// The domain's own permission checks, which a caller of resolvers/ (the host, the relay) meets with no schema scope in
// front (the API's scopes refuse the same calls earlier, so these can only be reached directly).

const admin: UserViewer = { kind: 'user', userId: 1, accountId: 1, role: 'ADMIN', sectorIds: [], canViewUnsectored: false, expiresAt: 4_000_000_000 };
const agent: UserViewer = { ...admin, userId: 2, role: 'USER', sectorIds: [1] };
const bot = (scopes: IntegrationViewer['scopes']): IntegrationViewer => ({ kind: 'integration', integrationId: 3, accountId: 1, scopes });

function refusal(check: (viewer: Viewer | null) => void, viewer: Viewer | null) {
  try {
    check(viewer);
  } catch (error) {
    const { code, message, details } = error as { code: string; message: string; details: Record<string, unknown> };
    return { code, message, details };
  }
  return null;
}

describe('domain permission checks', () => {
  it('assertAgent: a signed-in user only', () => {
    expect(refusal(assertAgent, null)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(refusal(assertAgent, bot(['INGEST', 'READ']))).toEqual({ code: 'FORBIDDEN', message: 'Integrations may not do this', details: {} });
    expect(refusal(assertAgent, agent)).toBeNull();
    expect(refusal(assertAgent, admin)).toBeNull();
  });

  it('assertAdmin: an ADMIN only', () => {
    expect(refusal(assertAdmin, null)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(refusal(assertAdmin, bot(['INGEST', 'READ']))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(assertAdmin, agent)).toEqual({ code: 'FORBIDDEN', message: 'Only an ADMIN may do this', details: {} });
    expect(refusal(assertAdmin, admin)).toBeNull();
  });

  it('assertIngestion: an ADMIN, or an integration with INGEST', () => {
    expect(refusal(assertIngestion, null)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(refusal(assertIngestion, agent)).toEqual({ code: 'FORBIDDEN', message: 'Only an ADMIN or an integration may do this', details: {} });
    expect(refusal(assertIngestion, bot(['READ']))).toEqual({
      code: 'FORBIDDEN', message: 'This integration token lacks the INGEST scope', details: { reason: 'MISSING_SCOPE', scope: 'INGEST' },
    });
    expect(refusal(assertIngestion, bot(['INGEST']))).toBeNull();
    expect(refusal(assertIngestion, admin)).toBeNull();
  });

  it('assertTicketReader: any user; an integration with READ', () => {
    expect(refusal(assertTicketReader, null)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(refusal(assertTicketReader, bot(['INGEST']))).toEqual({
      code: 'FORBIDDEN', message: 'This integration token lacks the READ scope', details: { reason: 'MISSING_SCOPE', scope: 'READ' },
    });
    expect(refusal(assertTicketReader, bot(['READ']))).toBeNull();
    expect(refusal(assertTicketReader, agent)).toBeNull();
  });
});
