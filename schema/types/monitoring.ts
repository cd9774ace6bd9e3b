import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import type { TicketRating as RatingRow, Ticket as TicketRow } from '../../db/types.js';
import { monitoringFor } from '../../resolvers/live/monitoring.js';
import { agentsOfPanel, monitorScopeOf, monitoring, pausesOfPanel, queueOf, tagsToday, type MonitoringArgs, type MonitoringPanel, type PauseFigures as PauseFiguresShape } from '../../resolvers/monitoring.js';
import { ratingsOfTickets, rateTicket, scoresOf } from '../../resolvers/satisfaction.js';
import { cancelTicket } from '../../resolvers/tickets/lifecycle.js';
import { builder } from '../builder.js';
import { localIdOf, optionalLocalIdOf } from '../ids.js';
import { Ticket, TicketStatus } from './ticket.js';
import { PauseReason } from './pause-reason.js';
import { AgentStatus, User } from './user.js';

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

const TicketRating = builder.objectRef<RatingRow>('TicketRating').implement({
  fields: (t) => ({
    rating: t.exposeInt('rating', { description: '1 to 5' }),
    comment: t.exposeString('comment', { nullable: true }),
    ratedAt: t.expose('ratedAt', { type: 'DateTime' }),
  }),
});

const Score = builder.objectRef<{ average: number | null; count: number }>('Score').implement({
  fields: (t) => ({
    average: t.exposeFloat('average', { nullable: true, description: 'Null without ratings' }),
    count: t.exposeInt('count'),
  }),
});

builder.objectField(Ticket, 'rating', (t) =>
  t.loadable({
    type: TicketRating,
    nullable: true,
    load: async (ticketIds: number[], context) => {
      const ratings = await ratingsOfTickets(context.services, ticketIds);
      return ticketIds.map((id) => ratings.get(id) ?? null);
    },
    resolve: (ticket) => ticket.id,
  }),
);

builder.objectField(User, 'score', (t) =>
  t.loadable({
    type: Score,
    description: 'Average rating of their tickets over the last 30 days',
    load: async (userIds: number[], context) => {
      const scores = await scoresOf(context.services, userIds);
      return userIds.map((id) => scores.get(id) ?? { average: null, count: 0 });
    },
    resolve: (user) => user.id,
  }),
);

const Counts = builder.objectRef<MonitoringPanel['figures']>('MonitoringToday').implement({
  description: "Today, from midnight in the account's time zone",
  fields: (t) => ({
    opened: t.exposeInt('opened'),
    closed: t.exposeInt('closed'),
    attended: t.exposeInt('attended', { description: 'Closed or transferred by an agent' }),
    lost: t.exposeInt('lost', { description: 'Cancelled by the contact before assignment' }),
    abandoned: t.exposeInt('abandoned', { description: 'Cancelled by the contact after assignment' }),
  }),
});

const AgentSummary = builder.objectRef<MonitoringPanel>('MonitoringAgents').implement({
  fields: (t) => {
    const count = (status: string) => (panel: MonitoringPanel) => panel.agentStatuses[status] ?? 0;
    return {
      online: t.int({ resolve: count('ONLINE') }),
      paused: t.int({ resolve: count('PAUSED') }),
      invisible: t.int({ resolve: count('INVISIBLE') }),
      offline: t.int({ resolve: count('OFFLINE') }),
      ticketsPerOnlineAgent: t.float({
        nullable: true,
        description: 'OPEN tickets per ONLINE agent; null with nobody online',
        resolve: (panel) => {
          const online = count('ONLINE')(panel);
          return online === 0 ? null : Math.round((panel.figures.openTickets / online) * 100) / 100;
        },
      }),
    };
  },
});

const MonitoredAgent = builder.objectRef<Awaited<ReturnType<typeof agentsOfPanel>>[number]>('MonitoredAgent').implement({
  fields: (t) => ({
    user: t.field({ type: User, resolve: (agent) => String(agent.id) }),
    status: t.field({ type: AgentStatus, resolve: (agent) => agent.status as 'ONLINE' }),
    since: t.expose('statusChangedAt', { type: 'DateTime' }),
    openTickets: t.exposeInt('openTickets'),
    pauseReason: t.field({ type: PauseReason, nullable: true, description: 'Why they are PAUSED, when they said', resolve: (agent) => (agent.status === 'PAUSED' && agent.pauseReasonId !== null ? String(agent.pauseReasonId) : null) }),
    pausedSecondsToday: t.int({ description: "Time PAUSED since midnight in the account's time zone, every pause added up", resolve: (agent) => Math.floor(agent.pausedMsToday / 1000) }),
  }),
});

const PauseFigures = builder.objectRef<PauseFiguresShape>('MonitoredPauseReason').implement({
  fields: (t) => ({
    reason: t.field({ type: PauseReason, nullable: true, description: 'Null: paused without a reason', resolve: (figures) => (figures.pauseReasonId === null ? null : String(figures.pauseReasonId)) }),
    agentsPaused: t.exposeInt('agentsPaused', { description: 'Agents of the panel PAUSED with this reason now' }),
    pausedSecondsToday: t.int({ description: 'Time their agents spent PAUSED with this reason today', resolve: (figures) => Math.floor(figures.pausedMsToday / 1000) }),
  }),
});

const QueuedTicket = builder.objectRef<{ ticket: TicketRow; at: Date }>('QueuedTicket').implement({
  fields: (t) => ({
    ticket: t.field({ type: Ticket, resolve: (entry) => entry.ticket }),
    waitSeconds: t.int({ resolve: (entry) => Math.max(0, Math.floor((entry.at.getTime() - (entry.ticket.queuedAt?.getTime() ?? entry.at.getTime())) / 1000)) }),
  }),
});

const TagCount = builder.objectRef<{ tag: string; count: number }>('TagCount').implement({
  fields: (t) => ({ tag: t.exposeString('tag'), count: t.exposeInt('count') }),
});

const Monitoring = builder.objectRef<MonitoringPanel>('Monitoring').implement({
  description: 'The service right now and today, for the sectors (and channel) asked',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    since: t.expose('since', { type: 'DateTime', description: 'Start of today in the account time zone' }),
    ticketsInQueue: t.int({ description: 'WAITING now', resolve: (panel) => panel.figures.inQueue }),
    longestWaitSeconds: t.int({
      nullable: true,
      description: 'Now minus the oldest waiting ticket entry into the queue',
      resolve: (panel) => (panel.figures.oldestQueuedAt ? Math.floor((panel.at.getTime() - panel.figures.oldestQueuedAt.getTime()) / 1000) : null),
    }),
    ticketsInService: t.int({ description: 'OPEN and already answered by an agent', resolve: (panel) => panel.figures.inService }),
    averageFirstResponseSeconds: t.float({ nullable: true, description: 'First agent response minus assignment, tickets answered today', resolve: (panel) => seconds(panel.figures.firstResponse.averageMs) }),
    maxFirstResponseSeconds: t.float({ nullable: true, resolve: (panel) => seconds(panel.figures.firstResponse.maxMs) }),
    averageResponseSeconds: t.float({ nullable: true, description: "Contact's message to the next agent message, today", resolve: (panel) => seconds(panel.figures.response.averageMs) }),
    averageHandlingSeconds: t.float({ nullable: true, description: 'Closed minus assigned, tickets closed today', resolve: (panel) => seconds(panel.figures.handling.averageMs) }),
    today: t.field({ type: Counts, resolve: (panel) => panel.figures }),
    agents: t.field({ type: AgentSummary, resolve: (panel) => panel }),
    csat: t.float({
      nullable: true,
      description: 'Share of 4-5 ratings today (0 to 1); null without ratings',
      resolve: (panel) => (panel.figures.ratings.count === 0 ? null : Math.round((panel.figures.ratings.satisfied / panel.figures.ratings.count) * 1000) / 1000),
    }),
    ratingsToday: t.int({ resolve: (panel) => panel.figures.ratings.count }),
    queue: t.field({
      type: [QueuedTicket],
      description: 'Tickets in queue, longest waiting first (100 at most)',
      resolve: async (panel, _args, context) => (await queueOf(context.services, panel, 'WAITING')).map((ticket) => ({ ticket, at: panel.at })),
    }),
    inService: t.field({ type: [Ticket], description: 'Tickets in service, longest first (100 at most)', resolve: (panel, _args, context) => queueOf(context.services, panel, 'OPEN') }),
    agentList: t.field({ type: [MonitoredAgent], resolve: (panel, _args, context) => agentsOfPanel(context.services, panel) }),
    pauses: t.field({
      type: [PauseFigures],
      description: 'Per pause reason: agents paused now and time paused today (every active reason, then the rest that count today, then no reason)',
      resolve: (panel, _args, context) => pausesOfPanel(context.services, panel),
    }),
    tags: t.field({ type: [TagCount], description: 'Tags of tickets active today', resolve: (panel, _args, context) => tagsToday(context.services, panel) }),
  }),
});

const argsOf = (args: { channelId?: string | number | null; sectorId?: string | number | null }): MonitoringArgs => ({
  channelId: optionalLocalIdOf('Channel', args.channelId, 'channelId'),
  sectorId: optionalLocalIdOf('Sector', args.sectorId, 'sectorId'),
});

builder.queryFields((t) => ({
  monitoring: t.withAuth({ authenticated: true }).field({
    type: Monitoring,
    description: 'ADMIN: the account or one sector; a USER with canMonitor: their sectors',
    args: { channelId: t.arg.id(), sectorId: t.arg.id() },
    resolve: (_root, args, context) => monitoring(context.services, context.viewer, argsOf(args)),
  }),
}));

builder.subscriptionFields((t) => ({
  monitoringChanged: t.withAuth({ authenticated: true }).field({
    type: Monitoring,
    description: 'The same panel now, then pushed after changes (at most about once per second)',
    args: { channelId: t.arg.id(), sectorId: t.arg.id() },
    subscribe: async (_root, args, context) =>
      monitoringFor(context.services, context.viewer, await monitorScopeOf(context.services, context.viewer, argsOf(args)), context.pubsub.live.panels),
    resolve: (panel, _args, context) => {
      clearAllDataLoaders(context);
      return panel;
    },
  }),
}));

builder.mutationFields((t) => ({
  rateTicket: t.field({
    type: TicketRating,
    description: "The contact's rating (1-5) of a closed ticket, through ingestion, once",
    authScopes: { admin: true, integration: true },
    args: { ticketId: t.arg.id({ required: true }), rating: t.arg.int({ required: true }), comment: t.arg.string() },
    resolve: (_root, { ticketId, rating, comment }, context) => rateTicket(context.services, context.viewer, localIdOf('Ticket', String(ticketId), 'ticketId'), { rating, comment }),
  }),
  cancelTicket: t.field({
    type: Ticket,
    description: 'The contact gave up (reported by the bot or channel): CLOSED by CONTACT',
    authScopes: { admin: true, integration: true },
    args: {
      id: t.arg.id({ required: true }),
      onlyIfStatus: t.arg({ type: TicketStatus, description: 'CONFLICT (reason STATUS_CHANGED) unless the ticket is still in this status, e.g. WAITING' }),
    },
    resolve: (_root, { id, onlyIfStatus }, context) => cancelTicket(context.services, context.viewer, localIdOf('Ticket', String(id), 'id'), onlyIfStatus ?? null),
  }),
}));
