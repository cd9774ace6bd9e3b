import type { StoreTx } from '../../db/store.js';
import type { Ticket, User } from '../../db/types.js';
import { isAbsentAt } from '../absence.js';
import { isAvailable } from '../availability.js';
import { recordEvent } from '../events.js';
import { placementOf } from './common.js';

/** ROUND_ROBIN: the first available agent after the last one served (by id, wrapping around). */
function nextInTurn(agents: User[], lastAssignedUserId: number | null): User | undefined {
  return agents.find((agent) => lastAssignedUserId === null || agent.id > lastAssignedUserId) ?? agents[0];
}

/**
 * Hands a WAITING ticket of a ROUND_ROBIN or LEAST_BUSY sector to an available agent (ONLINE, in
 * hours, under capacity) at once; with nobody available it keeps waiting. Runs inside the writing
 * transaction, and writers are serialised, so two tickets never pick from a stale view.
 */
export async function routeWaitingTicket(tx: StoreTx, ticket: Ticket, at: Date): Promise<Ticket> {
  if (ticket.status !== 'WAITING' || ticket.sectorId === null) return ticket;
  const sector = await tx.sectors.byId(ticket.accountId, ticket.sectorId);
  if (!sector || sector.routingMode === 'MANUAL') return ticket;
  const agents = await tx.intake.agentsOfSector(ticket.accountId, sector.id);
  const open = await tx.intake.openCountsOf(ticket.accountId, agents.map((agent) => agent.id));
  const absences = await tx.intake.absencesOf(agents.map((agent) => agent.id));
  const available = agents.filter((agent) => isAvailable(agent, open.get(agent.id) ?? 0, at) && !isAbsentAt(absences.get(agent.id) ?? null, at));
  if (available.length === 0) return ticket;
  let chosen: User | undefined;
  if (sector.routingMode === 'ROUND_ROBIN') {
    chosen = nextInTurn(available, sector.lastAssignedUserId);
  } else {
    const fewest = Math.min(...available.map((agent) => open.get(agent.id) ?? 0));
    chosen = nextInTurn(available.filter((agent) => (open.get(agent.id) ?? 0) === fewest), sector.lastAssignedUserId);
  }
  if (!chosen) return ticket;
  const assigned = await tx.tickets.transition(
    ticket.id,
    { status: 'WAITING', assigneeId: null },
    { status: 'OPEN', assigneeId: chosen.id, acceptedAt: at, queuedAt: null, lastActivityAt: at },
  );
  if (!assigned) return ticket;
  await tx.sectors.markAssigned(sector.id, chosen.id);
  await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'ACCEPTED', actorKind: 'SYSTEM', actorId: null, data: { routedTo: chosen.id, routing: sector.routingMode }, createdAt: at });
  await recordEvent(tx, at, ticket.accountId, 'ticket.statusChanged', {
    ticketId: ticket.id, actor: { kind: 'SYSTEM', id: null }, before: placementOf(ticket), after: placementOf(assigned),
  });
  return assigned;
}

/** When an agent becomes available, the waiting tickets of their auto-routed sectors are handed out. */
export async function routeQueuesOf(tx: StoreTx, accountId: number, sectorIds: readonly number[], at: Date): Promise<void> {
  for (const sectorId of sectorIds) {
    // Bounded: each pass either assigns the queue head or stops.
    for (let pass = 0; pass < 100; pass++) {
      const head = await tx.tickets.oldestWaiting(accountId, [sectorId]);
      if (!head || (await routeWaitingTicket(tx, head, at)).status === 'WAITING') break;
    }
  }
}
