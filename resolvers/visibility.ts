import type { Ticket, TicketScope, TicketStatus } from '../db/types.js';
import type { TicketPlacement } from './events.js';
import type { Viewer } from './viewer.js';

// The visibility rule (DESIGN.md) for one viewer. db/scope.ts turns the same TicketScope into SQL;
// test/visibility.test.ts checks that both forms agree on generated fixtures.

/**
 * ADMIN and integrations see the whole account; an agent their sectors plus tickets assigned to them.
 * Whether an integration may read tickets at all (its READ scope) is asked first, in permissions.ts.
 */
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

export type TicketEventKind = 'ADDED' | 'UPDATED' | 'REMOVED';

/** A live tab: one status (or all), optionally only tickets assigned to the viewer (the OPEN tab). */
export interface LiveTab {
  status: TicketStatus | null;
  assignedOnly: boolean;
}

function inTab(scope: TicketScope, tab: LiveTab, placement: TicketPlacement | null): boolean {
  if (!placement) return false;
  if (!canSeeTicket(scope, { accountId: scope.accountId, sectorId: placement.sectorId, assigneeId: placement.assigneeId })) return false;
  if (tab.status !== null && placement.status !== tab.status) return false;
  return !tab.assignedOnly || placement.assigneeId === scope.userId;
}

/** What a change means to this subscriber's tab: entered it, changed within it, left it, or nothing. */
export function ticketEventKindFor(scope: TicketScope, tab: LiveTab, before: TicketPlacement | null, after: TicketPlacement | null): TicketEventKind | null {
  const was = inTab(scope, tab, before);
  const is = inTab(scope, tab, after);
  if (was && is) return 'UPDATED';
  if (is) return 'ADDED';
  if (was) return 'REMOVED';
  return null;
}
