import type { StoreTx } from '../../db/store.js';
import type { Ticket, TicketStatus, User } from '../../db/types.js';
import { assertCanTakeTicket } from '../availability.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError, TicketAlreadyTakenError } from '../errors.js';
import { recordEvent } from '../events.js';
import { assertAgent, assertIngestion } from '../permissions.js';
import { routeQueuesOf, routeWaitingTicket } from './routing.js';
import type { Services } from '../services.js';
import type { UserViewer, Viewer } from '../viewer.js';
import { ticketScopeOf } from '../visibility.js';
import { actorOf, placementOf, visibleTicketOrThrow } from './common.js';

async function takerOf(tx: StoreTx, viewer: UserViewer, at: Date): Promise<User> {
  const user = await tx.users.byId(viewer.accountId, viewer.userId);
  if (!user) throw new NotFoundError('User');
  assertCanTakeTicket(user, await tx.tickets.openCountOf(viewer.accountId, viewer.userId), at);
  return user;
}

function alreadyMoved(ticket: Ticket): Error {
  return ticket.status === 'CLOSED' ? new ConflictError('The ticket is closed', { reason: 'TICKET_CLOSED' }) : new TicketAlreadyTakenError();
}

/** WAITING -> OPEN, assigned to me; of agents racing for one ticket exactly one wins. */
export async function acceptTicket(services: Services, viewer: Viewer | null, ticketId: number): Promise<Ticket> {
  assertAgent(viewer);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const ticket = await visibleTicketOrThrow(tx, ticketScopeOf(viewer), ticketId);
    if (ticket.status !== 'WAITING') throw alreadyMoved(ticket);
    await takerOf(tx, viewer, at);
    return assignWaiting(tx, viewer, ticket, at);
  });
}

async function assignWaiting(tx: StoreTx, viewer: UserViewer, ticket: Ticket, at: Date): Promise<Ticket> {
  const accepted = await tx.tickets.transition(
    ticket.id,
    { status: 'WAITING', assigneeId: null },
    { status: 'OPEN', assigneeId: viewer.userId, acceptedAt: at, queuedAt: null, lastActivityAt: at },
  );
  if (!accepted) throw new TicketAlreadyTakenError();
  const actor = actorOf(viewer);
  await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'ACCEPTED', actorKind: actor.kind, actorId: actor.id, data: {}, createdAt: at });
  await recordEvent(tx, at, viewer.accountId, 'ticket.statusChanged', { ticketId: ticket.id, actor, before: placementOf(ticket), after: placementOf(accepted) });
  return accepted;
}

/** The oldest waiting ticket of my sectors (queue order), accepted; null when my queues are empty. */
export async function takeNextTicket(services: Services, viewer: Viewer | null): Promise<Ticket | null> {
  assertAgent(viewer);
  const at = services.clock.now();
  // Agents taking at the same moment (PostgreSQL runs them together) read the same queue head; the
  // ones that lose it take the next ticket instead of answering TICKET_ALREADY_TAKEN.
  for (let attempt = 1; ; attempt++) {
    try {
      return await services.store.write(async (tx) => {
        await takerOf(tx, viewer, at);
        const next = await tx.tickets.oldestWaiting(viewer.accountId, viewer.sectorIds);
        return next ? assignWaiting(tx, viewer, next, at) : null;
      });
    } catch (error) {
      if (!(error instanceof TicketAlreadyTakenError) || attempt >= maxTakeNextAttempts) throw error;
    }
  }
}

const maxTakeNextAttempts = 20;

/** OPEN -> CLOSED by its assignee or an ADMIN; WAITING -> CLOSED (dismissed) by an ADMIN or canDismissWaiting. */
export async function closeTicket(services: Services, viewer: Viewer | null, ticketId: number): Promise<Ticket> {
  assertAgent(viewer);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const ticket = await visibleTicketOrThrow(tx, ticketScopeOf(viewer), ticketId);
    const isAdmin = viewer.role === 'ADMIN';
    if (ticket.status === 'CLOSED') throw new ConflictError('The ticket is already closed', { reason: 'TICKET_CLOSED' });
    if (ticket.status === 'OPEN' && !isAdmin && ticket.assigneeId !== viewer.userId) {
      throw new ForbiddenError('Only the assignee or an ADMIN may close this ticket');
    }
    if (ticket.status === 'WAITING' && !isAdmin) {
      const user = await tx.users.byId(viewer.accountId, viewer.userId);
      if (!user?.canDismissWaiting) throw new ForbiddenError('Closing a waiting ticket unattended needs the canDismissWaiting permission');
    }
    const closed = await tx.tickets.transition(
      ticket.id,
      { status: ticket.status, assigneeId: ticket.assigneeId },
      { status: 'CLOSED', closedAt: at, closedBy: isAdmin ? 'ADMIN' : 'AGENT', closedById: viewer.userId, queuedAt: null, lastActivityAt: at },
    );
    if (!closed) throw new ConflictError('The ticket changed meanwhile; reload it');
    const actor = actorOf(viewer);
    await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'CLOSED', actorKind: actor.kind, actorId: actor.id, data: { from: ticket.status }, createdAt: at });
    await recordEvent(tx, at, viewer.accountId, 'ticket.statusChanged', { ticketId: ticket.id, actor, before: placementOf(ticket), after: placementOf(closed), closedBy: closed.closedBy! });
    // A freed seat takes the next ticket of the closer's auto-routed queues.
    if (ticket.assigneeId !== null) {
      // A closer's own sectors came with the request's viewer, as taking the next ticket and going ONLINE use them.
      const freed = ticket.assigneeId === viewer.userId ? viewer.sectorIds : ((await tx.users.sectorIdsOfUsers([ticket.assigneeId])).get(ticket.assigneeId) ?? []);
      await routeQueuesOf(tx, viewer.accountId, freed, at);
    }
    return closed;
  });
}

/** CLOSED -> OPEN, assigned to whoever reopens it, unless the contact already has a live ticket there. */
export async function reopenTicket(services: Services, viewer: Viewer | null, ticketId: number): Promise<Ticket> {
  assertAgent(viewer);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const ticket = await visibleTicketOrThrow(tx, ticketScopeOf(viewer), ticketId);
    if (ticket.status !== 'CLOSED') throw new ConflictError('Only a closed ticket can be reopened', { reason: 'TICKET_NOT_CLOSED' });
    const live = await tx.tickets.liveOf(viewer.accountId, ticket.contactId, ticket.channelId);
    if (live) throw new ConflictError('The contact already has a live ticket on this channel', { reason: 'CONTACT_HAS_LIVE_TICKET' });
    await takerOf(tx, viewer, at);
    const reopened = await tx.tickets.transition(
      ticket.id,
      { status: 'CLOSED' },
      { status: 'OPEN', assigneeId: viewer.userId, closedAt: null, closedBy: null, closedById: null, acceptedAt: at, lastActivityAt: at },
    );
    if (!reopened) throw new ConflictError('The ticket changed meanwhile; reload it');
    const actor = actorOf(viewer);
    await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'REOPENED', actorKind: actor.kind, actorId: actor.id, data: {}, createdAt: at });
    await recordEvent(tx, at, viewer.accountId, 'ticket.statusChanged', { ticketId: ticket.id, actor, before: placementOf(ticket), after: placementOf(reopened) });
    return reopened;
  });
}

export interface TransferTarget {
  sectorId?: number | null;
  userId?: number | null;
  channelId?: number | null;
}

/**
 * To a sector: WAITING there, unassigned. To an agent: OPEN, assigned to them (in the given sector,
 * or the current one). To a channel: the conversation continues on it. An ADMIN, the assignee, or
 * (for a WAITING ticket) an agent of its sector may transfer.
 */
export async function transferTicket(services: Services, viewer: Viewer | null, ticketId: number, target: TransferTarget): Promise<Ticket> {
  assertAgent(viewer);
  if (!target.sectorId && !target.userId && !target.channelId) throw new BadUserInputError('sectorId', 'Name a sector, an agent or a channel');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const ticket = await visibleTicketOrThrow(tx, ticketScopeOf(viewer), ticketId);
    if (ticket.status === 'CLOSED') throw new ConflictError('A closed ticket cannot be transferred; reopen it first', { reason: 'TICKET_CLOSED' });
    if (ticket.status === 'OPEN' && viewer.role !== 'ADMIN' && ticket.assigneeId !== viewer.userId) {
      throw new ForbiddenError('Only the assignee or an ADMIN may transfer this ticket');
    }
    const sector = target.sectorId ? await tx.sectors.byId(viewer.accountId, target.sectorId) : null;
    if (target.sectorId && !sector) throw new BadUserInputError('sectorId', 'Unknown sector');
    const agent = target.userId ? await tx.users.byId(viewer.accountId, target.userId) : null;
    if (target.userId && (!agent || !agent.active)) throw new BadUserInputError('userId', 'Unknown or deactivated user');
    // Handing a ticket to myself is taking it: the same availability rules as accepting.
    if (agent && agent.id === viewer.userId && ticket.assigneeId !== viewer.userId) await takerOf(tx, viewer, at);
    const channel = target.channelId ? await tx.channels.byId(viewer.accountId, target.channelId) : null;
    if (target.channelId && !channel) throw new BadUserInputError('channelId', 'Unknown channel');
    if (channel && channel.id !== ticket.channelId && (await tx.tickets.liveOf(viewer.accountId, ticket.contactId, channel.id))) {
      throw new ConflictError('The contact already has a live ticket on that channel', { reason: 'CONTACT_HAS_LIVE_TICKET' });
    }

    const changes = agent
      ? { status: 'OPEN' as const, assigneeId: agent.id, sectorId: sector?.id ?? ticket.sectorId, acceptedAt: ticket.acceptedAt ?? at, queuedAt: null }
      : sector
        ? { status: 'WAITING' as const, assigneeId: null, sectorId: sector.id, queuedAt: at }
        : {};
    const moved = await tx.tickets.transition(
      ticket.id,
      { status: ticket.status, assigneeId: ticket.assigneeId },
      { ...changes, channelId: channel?.id ?? ticket.channelId, lastActivityAt: at },
    );
    if (!moved) throw new ConflictError('The ticket changed meanwhile; reload it');
    const actor = actorOf(viewer);
    const data = { fromSectorId: ticket.sectorId, toSectorId: moved.sectorId, fromUserId: ticket.assigneeId, toUserId: moved.assigneeId, fromChannelId: ticket.channelId, toChannelId: moved.channelId };
    await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'TRANSFERRED', actorKind: actor.kind, actorId: actor.id, data, createdAt: at });
    await recordEvent(tx, at, viewer.accountId, 'ticket.transferred', { ticketId: ticket.id, actor, before: placementOf(ticket), after: placementOf(moved) });
    return routeWaitingTicket(tx, moved, at, sector);
  });
}

/** The contact gave up (the bot or channel says so through ingestion): CLOSED by CONTACT. */
export async function cancelTicket(services: Services, viewer: Viewer | null, ticketId: number, onlyIfStatus: TicketStatus | null = null): Promise<Ticket> {
  assertIngestion(viewer);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const ticket = await visibleTicketOrThrow(tx, ticketScopeOf(viewer), ticketId);
    if (ticket.status === 'CLOSED') throw new ConflictError('The ticket is already closed', { reason: 'TICKET_CLOSED' });
    // A bridge cancelling a queued ticket must not close one an agent took a moment ago.
    if (onlyIfStatus && ticket.status !== onlyIfStatus) throw new ConflictError(`The ticket is ${ticket.status} now`, { reason: 'STATUS_CHANGED' });
    const closed = await tx.tickets.transition(
      ticket.id,
      { status: ticket.status, assigneeId: ticket.assigneeId },
      { status: 'CLOSED', closedAt: at, closedBy: 'CONTACT', closedById: null, queuedAt: null, lastActivityAt: at, pendingInboundSince: null },
    );
    if (!closed) throw new ConflictError('The ticket changed meanwhile; reload it');
    const actor = actorOf(viewer);
    await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'CLOSED', actorKind: actor.kind, actorId: actor.id, data: { from: ticket.status, byContact: true }, createdAt: at });
    await recordEvent(tx, at, viewer.accountId, 'ticket.statusChanged', { ticketId: ticket.id, actor, before: placementOf(ticket), after: placementOf(closed), closedBy: closed.closedBy! });
    return closed;
  });
}
