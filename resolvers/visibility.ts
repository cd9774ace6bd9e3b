import type { MonitorScope, Role, Ticket, TicketScope, TicketStatus } from '../db/types.js';
import type { TicketPlacement } from './events.js';
import type { UserViewer, Viewer } from './viewer.js';

// Every scope is made here. Two rules (DESIGN.md), each in memory here and in SQL in db/sqlite/scope.ts:
// - the ticket rule (TicketScope): which tickets a reader sees, on every read, write and live event;
//   test/visibility.test.ts checks that both forms agree on generated fixtures;
// - the monitoring rule (MonitorScope): which queues a monitoring panel counts.

/**
 * The ticket rule for a user: ADMIN sees the whole account; an agent their sectors plus tickets assigned
 * to them, and with canViewUnsectored the potentials too (WAITING tickets without a sector).
 */
export function scopeOfUser(user: { id: number; accountId: number; role: Role; sectorIds: readonly number[]; canViewUnsectored: boolean }): TicketScope {
  if (user.role === 'ADMIN') return { kind: 'account', accountId: user.accountId, userId: user.id };
  return { kind: 'agent', accountId: user.accountId, userId: user.id, sectorIds: user.sectorIds, potentials: user.canViewUnsectored };
}

/**
 * The whole account as nobody in particular: for Deskgraph's own reads (deduplicating ingestion,
 * events, the relay), and for integrations, whose READ scope permissions.ts asks about first.
 */
export function systemScope(accountId: number): TicketScope {
  return { kind: 'account', accountId, userId: null };
}

/** The ticket rule for whoever is asking. */
export function ticketScopeOf(viewer: Viewer): TicketScope {
  if (viewer.kind === 'integration') return systemScope(viewer.accountId);
  return scopeOfUser({ id: viewer.userId, accountId: viewer.accountId, role: viewer.role, sectorIds: viewer.sectorIds, canViewUnsectored: viewer.canViewUnsectored });
}

/**
 * The monitoring rule: a panel watches queues, so it counts tickets and agents by sector only (a USER's
 * tickets assigned outside their sectors are not counted). ADMIN: the account, or one sector; a USER
 * allowed to monitor: their sectors, or one of them (null when `sectorId` is not theirs).
 */
export function monitorScopeOf(viewer: UserViewer, sectorId: number | null, channelId: number | null): MonitorScope | null {
  if (viewer.role === 'ADMIN') return { accountId: viewer.accountId, sectorIds: sectorId === null ? 'all' : [sectorId], channelId };
  if (sectorId !== null && !viewer.sectorIds.includes(sectorId)) return null;
  return { accountId: viewer.accountId, sectorIds: sectorId === null ? viewer.sectorIds : [sectorId], channelId };
}

/** The in-memory form, for events: may this scope see this ticket? */
export function canSeeTicket(scope: TicketScope, ticket: Pick<Ticket, 'accountId' | 'status' | 'sectorId' | 'assigneeId'>): boolean {
  if (ticket.accountId !== scope.accountId) return false;
  if (scope.kind === 'account') return true;
  if (ticket.assigneeId === scope.userId) return true;
  if (ticket.sectorId === null) return isPotential(scope, ticket);
  return scope.sectorIds.includes(ticket.sectorId);
}

/** A potential (a contact who picked no sector) is seen only while it waits unsectored: routed or taken, the usual rule applies. */
export function isPotential(scope: TicketScope, ticket: Pick<Ticket, 'status' | 'sectorId'>): boolean {
  return scope.kind === 'agent' && scope.potentials === true && ticket.sectorId === null && ticket.status === 'WAITING';
}

/**
 * The index form of the ticket rule, for live fan-out: the keys by which a scope may come to see a ticket.
 * It only narrows who is asked: canSeeTicket(scope, t) implies reachOf(scope) shares a key with
 * ticketKeysOf(t) (test/live-fan-out.test.ts checks it on generated scopes and tickets); canSeeTicket decides.
 */
export function reachOf(scope: TicketScope): string[] {
  if (scope.kind === 'account') return ['account'];
  return [...scope.sectorIds.map((sectorId) => `sector:${sectorId}`), `assignee:${scope.userId}`, ...(scope.potentials ? ['unsectored'] : [])];
}

/** The keys of one placement of a ticket: the account, its sector (or none), its assignee. */
export function ticketKeysOf(ticket: Pick<Ticket, 'sectorId' | 'assigneeId'>): string[] {
  const keys = ['account', ticket.sectorId === null ? 'unsectored' : `sector:${ticket.sectorId}`];
  if (ticket.assigneeId !== null) keys.push(`assignee:${ticket.assigneeId}`);
  return keys;
}

export type TicketEventKind = 'ADDED' | 'UPDATED' | 'REMOVED';

/** A live tab: one status (or all), optionally only tickets assigned to the viewer (the OPEN tab). */
export interface LiveTab {
  status: TicketStatus | null;
  assignedOnly: boolean;
}

function inTab(scope: TicketScope, tab: LiveTab, placement: TicketPlacement | null): boolean {
  if (!placement) return false;
  if (!canSeeTicket(scope, { accountId: scope.accountId, ...placement })) return false;
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
