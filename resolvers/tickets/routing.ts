import type { StoreTx } from '../../db/store.js';
import type { AbsenceSetting, RoutingCandidate, RoutingMode, RoutingSkipReason, Sector, Ticket, User } from '../../db/types.js';
import { isAbsentAt } from '../absence.js';
import { isAvailable } from '../availability.js';
import { isWithinHours } from '../hours.js';
import { recordEvent } from '../events.js';
import { placementOf } from './common.js';

/** ROUND_ROBIN: the first available agent after the last one served (by id, wrapping around). */
function nextInTurn(agents: User[], lastAssignedUserId: number | null): User | undefined {
  return agents.find((agent) => lastAssignedUserId === null || agent.id > lastAssignedUserId) ?? agents[0];
}

/** Why an agent of the sector cannot be handed a ticket now, or null when they can. */
function unavailabilityOf(agent: User, openTickets: number, absence: AbsenceSetting | null, at: Date): RoutingSkipReason | null {
  if (agent.status === 'PAUSED') return 'PAUSED';
  if (agent.status !== 'ONLINE') return 'OFFLINE';
  if (isAbsentAt(absence, at)) return 'ABSENT';
  if (!isWithinHours(agent.workingHours, at)) return 'OUTSIDE_WORKING_HOURS';
  if (agent.maxConcurrentTickets !== null && openTickets >= agent.maxConcurrentTickets) return 'AT_CAPACITY';
  return isAvailable(agent, openTickets, at) ? null : 'OFFLINE';
}

/**
 * Hands a WAITING ticket of a ROUND_ROBIN or LEAST_BUSY sector to an available agent (ONLINE, in
 * hours, under capacity) at once; with nobody available it keeps waiting. Runs inside the writing
 * transaction after taking the account's routing turn, so two tickets never pick from a stale view (turn
 * and capacity). The decision (every active agent of the account, and why each was passed over) is saved
 * in the same transaction.
 */
export async function routeWaitingTicket(tx: StoreTx, ticket: Ticket, at: Date, readAlready: Sector | null = null): Promise<Ticket> {
  if (ticket.status !== 'WAITING' || ticket.sectorId === null) return ticket;
  // A sector this transaction read already is not read again just to see its routing mode.
  const routed = readAlready?.id === ticket.sectorId ? readAlready : await tx.sectors.byId(ticket.accountId, ticket.sectorId);
  if (!routed || routed.routingMode === 'MANUAL') return ticket;
  await tx.intake.takeRoutingTurn(ticket.accountId);
  // Read again within the turn: the last agent served may have changed while this transaction waited.
  const sector = await tx.sectors.byId(ticket.accountId, ticket.sectorId);
  if (!sector || sector.routingMode === 'MANUAL') return ticket;
  const agents = await tx.intake.agentsOfSector(ticket.accountId, sector.id);
  const open = await tx.intake.openCountsOf(ticket.accountId, agents.map((agent) => agent.id));
  const absences = await tx.intake.absencesOf(agents.map((agent) => agent.id));
  const skipped = new Map(agents.map((agent) => [agent.id, unavailabilityOf(agent, open.get(agent.id) ?? 0, absences.get(agent.id) ?? null, at)]));
  const available = agents.filter((agent) => skipped.get(agent.id) === null);
  let chosen: User | undefined;
  if (sector.routingMode === 'ROUND_ROBIN') {
    chosen = nextInTurn(available, sector.lastAssignedUserId);
  } else if (available.length > 0) {
    const fewest = Math.min(...available.map((agent) => open.get(agent.id) ?? 0));
    for (const agent of available) if ((open.get(agent.id) ?? 0) > fewest) skipped.set(agent.id, 'MORE_OPEN_TICKETS');
    chosen = nextInTurn(available.filter((agent) => (open.get(agent.id) ?? 0) === fewest), sector.lastAssignedUserId);
  }
  for (const agent of available) if (agent !== chosen && skipped.get(agent.id) === null) skipped.set(agent.id, 'NOT_NEXT_IN_TURN');
  const assigned = chosen
    ? await tx.tickets.transition(
        ticket.id,
        { status: 'WAITING', assigneeId: null },
        { status: 'OPEN', assigneeId: chosen.id, acceptedAt: at, queuedAt: null, lastActivityAt: at },
      )
    : null;
  await saveDecision(tx, ticket, sector.id, sector.routingMode, assigned ? chosen! : null, skipped, open, at);
  if (!assigned || !chosen) return ticket;
  await tx.sectors.markAssigned(sector.id, chosen.id);
  await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'ACCEPTED', actorKind: 'SYSTEM', actorId: null, data: { routedTo: chosen.id, routing: sector.routingMode }, createdAt: at });
  await recordEvent(tx, at, ticket.accountId, 'ticket.statusChanged', {
    ticketId: ticket.id, actor: { kind: 'SYSTEM', id: null }, before: placementOf(ticket), after: placementOf(assigned),
  });
  return assigned;
}

/** Every active user of the account is named: those outside the sector as NOT_IN_SECTOR. */
async function saveDecision(
  tx: StoreTx, ticket: Ticket, sectorId: number, mode: RoutingMode, chosen: User | null,
  skipped: Map<number, RoutingSkipReason | null>, open: Map<number, number>, at: Date,
): Promise<void> {
  const everyone = (await tx.users.list(ticket.accountId)).filter((user) => user.active);
  const candidates: RoutingCandidate[] = everyone.map((user) => ({
    userId: user.id,
    skipped: user.id === chosen?.id ? null : skipped.has(user.id) ? (skipped.get(user.id) ?? 'NOT_NEXT_IN_TURN') : 'NOT_IN_SECTOR',
    openTickets: open.get(user.id) ?? 0,
  }));
  await tx.routingDecisions.save({ ticketId: ticket.id, accountId: ticket.accountId, sectorId, mode, chosenUserId: chosen?.id ?? null, candidates, decidedAt: at });
}

/** When an agent becomes available, the waiting tickets of their auto-routed sectors are handed out. */
export async function routeQueuesOf(tx: StoreTx, accountId: number, sectorIds: readonly number[], at: Date): Promise<void> {
  if (sectorIds.length === 0) return;
  // The sectors read together first: a MANUAL sector's queue (the default) is not looked at.
  const routed = new Map((await tx.sectors.byIds(accountId, sectorIds)).filter((sector) => sector.routingMode !== 'MANUAL').map((sector) => [sector.id, sector]));
  for (const sectorId of sectorIds) {
    const sector = routed.get(sectorId);
    if (!sector) continue;
    // Bounded: each pass either assigns the queue head or stops.
    for (let pass = 0; pass < 100; pass++) {
      const head = await tx.tickets.oldestWaiting(accountId, [sectorId]);
      if (!head || (await routeWaitingTicket(tx, head, at, sector)).status === 'WAITING') break;
    }
  }
}
