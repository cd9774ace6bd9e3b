import { and, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { tickets, userSectors, users } from './tables/index.js';
import type { MonitorScope, TicketScope, TicketStatus } from '../types.js';
import { statusLiteral } from './plan-literals.js';

// The PostgreSQL SQL forms of the two rules made in resolvers/visibility.ts, built from the same scopes as
// db/sqlite/scope.ts: the ticket rule (every ticket read in db/postgres goes through here;
// test/visibility.test.ts shows it agrees with the memory form on this engine too) and the monitoring rule.

/** The tickets in `status` (written into the statement: plan-literals.ts). */
const inStatus = (status: TicketStatus): SQL => sql`${tickets.status} = ${statusLiteral(status)}`;

/**
 * The tickets `scope` may see, as a where-clause: ADMIN the account, an agent their sectors + their own
 * (+ the potentials, WAITING without a sector, with canViewUnsectored).
 */
export function visibleTicketsWhere(scope: TicketScope): SQL {
  const account = eq(tickets.accountId, scope.accountId);
  if (scope.kind === 'account') return account;
  const visible = or(
    scope.sectorIds.length > 0 ? inArray(tickets.sectorId, [...scope.sectorIds]) : undefined,
    eq(tickets.assigneeId, scope.userId),
    scope.potentials ? and(isNull(tickets.sectorId), inStatus('WAITING')) : undefined,
  )!;
  return and(account, visible)!;
}

/** The sector ids whose count-table rows a tab of `status` sums: 0 stands for "no sector" there (the potentials). */
export function countedSectorIds(scope: TicketScope & { kind: 'agent' }, status: TicketStatus): readonly number[] {
  return scope.potentials && status === 'WAITING' ? [...scope.sectorIds, 0] : scope.sectorIds;
}

/**
 * The same rule for one status, split into branches whose union is exactly `visibleTicketsWhere`
 * AND status: each branch is a prefix of one index (tickets_tab_sector, tickets_tab_assignee,
 * tickets_tab_account), so a page reads at most `first` entries per branch instead of filtering an OR.
 * `sectorId` narrows to one sector.
 */
export function visibleTicketBranches(scope: TicketScope, status: TicketStatus, sectorId?: number): SQL[] {
  // Sector and assignee ids belong to one account, so those branches need no account check; the rows
  // they name are fetched through visibleTicketsWhere, which checks the account again.
  if (scope.kind === 'account') {
    return sectorId === undefined ? [and(eq(tickets.accountId, scope.accountId), inStatus(status))!] : [and(inStatus(status), eq(tickets.sectorId, sectorId))!];
  }
  const sectors = sectorId === undefined ? scope.sectorIds : scope.sectorIds.filter((id) => id === sectorId);
  const mine = and(inStatus(status), eq(tickets.assigneeId, scope.userId))!;
  // The potentials: a prefix of tickets_tab_sector too (sector_id IS NULL is an index condition). No
  // sector id ties them to the account, so this branch checks it: other accounts' unsectored tickets
  // would fill its first+1 entries and be dropped afterwards, cutting the page short.
  const potentials =
    scope.potentials && status === 'WAITING' && sectorId === undefined ? [and(inStatus(status), isNull(tickets.sectorId), eq(tickets.accountId, scope.accountId))!] : [];
  return [
    ...sectors.map((id) => and(inStatus(status), eq(tickets.sectorId, id))!),
    sectorId === undefined ? mine : and(mine, eq(tickets.sectorId, sectorId))!,
    ...potentials,
  ];
}

/** Tickets assigned to `userId` in `status`: the OPEN tab ("mine"). */
export function assignedTicketsWhere(userId: number, status: TicketStatus, sectorId?: number): SQL {
  const assigned = and(inStatus(status), eq(tickets.assigneeId, userId))!;
  return sectorId === undefined ? assigned : and(assigned, eq(tickets.sectorId, sectorId))!;
}

/**
 * Sector ids as a SQL list, for count-table lookups that must match the branch rule above. An empty
 * list becomes (-1), a sector no row has: `IN (NULL)` would match nothing but so would `NOT IN (NULL)`.
 */
export function sectorList(ids: readonly number[]): SQL {
  return ids.length > 0 ? sql.join(ids.map((id) => sql`${id}`), sql`, `) : sql`-1`;
}

/** The monitoring rule: the scope's tickets by sector (every sector for 'all'), maybe one channel. */
export function monitoredTicketsWhere(scope: MonitorScope): SQL {
  return and(
    eq(tickets.accountId, scope.accountId),
    inMonitoredSectors(tickets.sectorId, scope),
    scope.channelId === null ? undefined : eq(tickets.channelId, scope.channelId),
  )!;
}

/** Rows of the scope's sectors by their sector column (no narrowing for 'all'; no sector for an empty list). */
export function inMonitoredSectors(sectorColumn: PgColumn, scope: MonitorScope): SQL | undefined {
  return scope.sectorIds === 'all' ? undefined : inArray(sectorColumn, scope.sectorIds.length ? [...scope.sectorIds] : [-1]);
}

/** The monitoring rule for agents: members of the scope's sectors (no narrowing for 'all'). */
export function monitoredAgentsWhere(scope: MonitorScope): SQL | undefined {
  if (scope.sectorIds === 'all') return undefined;
  return sql`${users.id} IN (SELECT ${userSectors.userId} FROM ${userSectors} WHERE ${userSectors.sectorId} IN (${sectorList(scope.sectorIds)}))`;
}
