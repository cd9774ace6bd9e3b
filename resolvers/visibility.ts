import type { Ticket, TicketScope } from '../db/types.js';
import type { Viewer } from './viewer.js';

// The visibility rule (DESIGN.md) for one viewer. db/scope.ts turns the same TicketScope into SQL;
// test/visibility.test.ts checks that both forms agree on generated fixtures.

/** ADMIN and integrations see the whole account; an agent their sectors plus tickets assigned to them. */
export function ticketScopeOf(viewer: Viewer): TicketScope {
  if (viewer.kind === 'integration') return { kind: 'account', accountId: viewer.accountId, userId: null };
  if (viewer.role === 'ADMIN') return { kind: 'account', accountId: viewer.accountId, userId: viewer.userId };
  return { kind: 'agent', accountId: viewer.accountId, userId: viewer.userId, sectorIds: viewer.sectorIds };
}

/** The in-memory form, for events: may this scope see this ticket? */
export function canSeeTicket(scope: TicketScope, ticket: Pick<Ticket, 'accountId' | 'sectorId' | 'assigneeId'>): boolean {
  if (ticket.accountId !== scope.accountId) return false;
  if (scope.kind === 'account') return true;
  if (ticket.assigneeId === scope.userId) return true;
  return ticket.sectorId !== null && scope.sectorIds.includes(ticket.sectorId);
}
