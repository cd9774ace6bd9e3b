import type { IntegrationScope, Role } from '../db/types.js';

/** Who is asking: a signed-in agent, or a bot/channel integration. Loaded fresh on every request. */
export type Viewer = UserViewer | IntegrationViewer;

export interface UserViewer {
  kind: 'user';
  userId: number;
  accountId: number;
  role: Role;
  sectorIds: readonly number[];
  /** Sees the potentials (WAITING tickets without a sector): part of the ticket rule, so carried like the sectors. */
  canViewUnsectored: boolean;
  /** Seconds since the epoch when the token expires; subscriptions end then. */
  expiresAt: number;
  /** The login session (refresh-token family) of the token, for logout. */
  sessionId?: string;
}

export interface IntegrationViewer {
  kind: 'integration';
  integrationId: number;
  accountId: number;
  /** What this token may do; resolvers/permissions.ts is the one place that checks them. */
  scopes: readonly IntegrationScope[];
}

export function isAdmin(viewer: Viewer | null): viewer is UserViewer {
  return viewer?.kind === 'user' && viewer.role === 'ADMIN';
}
