import type { IntegrationScope } from '../db/types.js';
import { ForbiddenError, UnauthenticatedError } from './errors.js';
import type { IntegrationViewer, UserViewer, Viewer } from './viewer.js';

// The schema declares the same scopes; these repeat them so plugins calling the domain cannot skip them.
// An integration's token scopes (INGEST, READ) are checked here and nowhere else.

export function assertAgent(viewer: Viewer | null): asserts viewer is UserViewer {
  if (!viewer) throw new UnauthenticatedError();
  if (viewer.kind !== 'user') throw new ForbiddenError('Integrations may not do this');
}

export function assertAdmin(viewer: Viewer | null): asserts viewer is UserViewer {
  assertAgent(viewer);
  if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only an ADMIN may do this');
}

function assertTokenScope(viewer: IntegrationViewer, scope: IntegrationScope): void {
  if (!viewer.scopes.includes(scope)) {
    throw new ForbiddenError(`This integration token lacks the ${scope} scope`, { reason: 'MISSING_SCOPE', scope });
  }
}

/** Ingestion (bots and channels): an integration token with INGEST, or an ADMIN. */
export function assertIngestion(viewer: Viewer | null): asserts viewer is Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (viewer.kind === 'integration') return assertTokenScope(viewer, 'INGEST');
  if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only an ADMIN or an integration may do this');
}

/** Reading tickets by id (and what hangs off them): any agent, through visibility; an integration only with READ. */
export function assertTicketReader(viewer: Viewer | null): asserts viewer is Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (viewer.kind === 'integration') assertTokenScope(viewer, 'READ');
}
