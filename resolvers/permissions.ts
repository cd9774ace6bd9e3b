import { ForbiddenError, UnauthenticatedError } from './errors.js';
import type { UserViewer, Viewer } from './viewer.js';

// The schema declares the same scopes; these repeat them so plugins calling the domain cannot skip them.

export function assertAgent(viewer: Viewer | null): asserts viewer is UserViewer {
  if (!viewer) throw new UnauthenticatedError();
  if (viewer.kind !== 'user') throw new ForbiddenError('Integrations may not do this');
}

export function assertAdmin(viewer: Viewer | null): asserts viewer is UserViewer {
  assertAgent(viewer);
  if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only an ADMIN may do this');
}

/** Ingestion (bots and channels): an integration token or an ADMIN. */
export function assertIngestion(viewer: Viewer | null): asserts viewer is Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (viewer.kind === 'user' && viewer.role !== 'ADMIN') throw new ForbiddenError('Only an ADMIN or an integration may do this');
}
