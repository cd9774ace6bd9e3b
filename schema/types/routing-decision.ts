import type { RoutingCandidate as CandidateRow, RoutingDecision as DecisionRow } from '../../db/types.js';
import { routingDecisionOf } from '../../resolvers/tickets/routing-decisions.js';
import { builder } from '../builder.js';
import { RoutingMode, Sector } from './sector.js';
import { Ticket } from './ticket.js';
import { User } from './user.js';

export const RoutingSkipReason = builder.enumType('RoutingSkipReason', {
  values: {
    NOT_IN_SECTOR: { description: 'Not an agent of the sector' },
    OFFLINE: { description: 'OFFLINE or INVISIBLE' },
    PAUSED: {},
    ABSENT: { description: 'Their absence was on' },
    OUTSIDE_WORKING_HOURS: {},
    AT_CAPACITY: { description: 'Already at maxConcurrentTickets' },
    NOT_NEXT_IN_TURN: { description: 'Available, but another agent came first in the rotation' },
    MORE_OPEN_TICKETS: { description: 'LEAST_BUSY: available, but with more open tickets than the one chosen' },
  } as const,
});

const RoutingCandidate = builder.objectRef<CandidateRow>('RoutingCandidate').implement({
  fields: (t) => ({
    user: t.field({ type: User, resolve: (candidate) => String(candidate.userId) }),
    chosen: t.boolean({ resolve: (candidate) => candidate.skipped === null }),
    skippedBecause: t.field({ type: RoutingSkipReason, nullable: true, description: 'Null for the agent chosen', resolve: (candidate) => candidate.skipped }),
    openTickets: t.exposeInt('openTickets', { description: 'Their OPEN tickets at that moment (0 for agents outside the sector)' }),
  }),
});

const RoutingDecision = builder.objectRef<DecisionRow>('RoutingDecision').implement({
  description: 'The last automatic routing of a ticket, recorded when it ran',
  fields: (t) => ({
    decidedAt: t.expose('decidedAt', { type: 'DateTime' }),
    mode: t.expose('mode', { type: RoutingMode }),
    sector: t.field({ type: Sector, nullable: true, resolve: (decision) => String(decision.sectorId) }),
    chosen: t.field({ type: User, nullable: true, description: 'Null: nobody was available, the ticket waited', resolve: (decision) => (decision.chosenUserId === null ? null : String(decision.chosenUserId)) }),
    candidates: t.field({ type: [RoutingCandidate], description: 'Every active user of the account and why each was passed over', resolve: (decision) => decision.candidates }),
  }),
});

builder.objectField(Ticket, 'routingDecision', (t) =>
  t.field({
    type: RoutingDecision,
    nullable: true,
    description: 'ADMIN only (FORBIDDEN for a USER). Null when the ticket was never routed automatically (a MANUAL sector)',
    authScopes: { admin: true },
    resolve: (ticket, _args, context) => routingDecisionOf(context.services, context.viewer, ticket.id),
  }),
);
