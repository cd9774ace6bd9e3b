import type { MonitorScope, TodayFigures } from '../db/types.js';
import { BadUserInputError, ForbiddenError } from './errors.js';
import { instantOf, localTimeOf } from './hours.js';
import { assertAgent } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';
import { monitorScopeOf as monitorScopeFor, systemScope } from './visibility.js';

export interface MonitoringArgs {
  channelId?: number | null;
  sectorId?: number | null;
}

export interface MonitoringPanel {
  at: Date;
  /** Midnight of today in the account's time zone: where "today" starts. */
  since: Date;
  scope: MonitorScope;
  figures: TodayFigures;
  /** Active agents of the scope per status. */
  agentStatuses: Record<string, number>;
}

/** The monitoring rule of visibility.ts, once the channel and sector exist and a USER may monitor. */
export async function monitorScopeOf(services: Services, viewer: Viewer | null, args: MonitoringArgs): Promise<MonitorScope> {
  assertAgent(viewer);
  const channelId = args.channelId ?? null;
  if (channelId !== null && !(await services.store.channels.byId(viewer.accountId, channelId))) throw new BadUserInputError('channelId', 'Unknown channel');
  const sectorId = args.sectorId ?? null;
  if (sectorId !== null && !(await services.store.sectors.byId(viewer.accountId, sectorId))) throw new BadUserInputError('sectorId', 'Unknown sector');
  if (viewer.role !== 'ADMIN' && !(await services.store.users.byId(viewer.accountId, viewer.userId))?.canMonitor) {
    throw new ForbiddenError('Monitoring needs the canMonitor permission');
  }
  const scope = monitorScopeFor(viewer, sectorId, channelId);
  if (!scope) throw new ForbiddenError('You may monitor your own sectors only');
  return scope;
}

export async function startOfToday(services: Services, accountId: number, now: Date): Promise<Date> {
  const timeZone = (await services.store.accounts.byId(accountId))?.timeZone ?? 'UTC';
  const today = localTimeOf(now, timeZone);
  return instantOf(today.year, today.month, today.day, '00:00', timeZone);
}

export async function monitoringPanel(services: Services, scope: MonitorScope): Promise<MonitoringPanel> {
  const at = services.clock.now();
  const since = await startOfToday(services, scope.accountId, at);
  const [figures, agentStatuses] = [await services.store.monitoring.today(scope, since), await services.store.monitoring.agentStatuses(scope)];
  return { at, since, scope, figures, agentStatuses };
}

export async function monitoring(services: Services, viewer: Viewer | null, args: MonitoringArgs): Promise<MonitoringPanel> {
  return monitoringPanel(services, await monitorScopeOf(services, viewer, args));
}

export async function queueOf(services: Services, panel: MonitoringPanel, status: 'WAITING' | 'OPEN', limit = 100) {
  const ids = await services.store.monitoring.ticketIds(panel.scope, status, limit);
  const rows = await services.store.tickets.byIdsInScope(systemScope(panel.scope.accountId), ids);
  const order = new Map(ids.map((id, index) => [id, index]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** The agent list of the panel (status, since when, open tickets, time paused today), read only when asked for. */
export async function agentsOfPanel(services: Services, panel: MonitoringPanel) {
  const agents = await services.store.monitoring.agents(panel.scope);
  const paused = await services.store.pauses.pausedTime(panel.scope.accountId, agents.map((agent) => agent.id), panel.since, panel.at);
  const pausedMs = new Map<number, number>();
  for (const row of paused) pausedMs.set(row.userId, (pausedMs.get(row.userId) ?? 0) + row.pausedMs);
  return agents.map((agent) => ({ ...agent, pausedMsToday: pausedMs.get(agent.id) ?? 0 }));
}

export interface PauseFigures {
  /** Null: paused without saying why. */
  pauseReasonId: number | null;
  agentsPaused: number;
  pausedMsToday: number;
}

/**
 * Agents of the panel PAUSED now, and time paused today, per reason: every active reason, plus
 * deactivated ones and "no reason" when they count anything today.
 */
export async function pausesOfPanel(services: Services, panel: MonitoringPanel): Promise<PauseFigures[]> {
  const agents = await services.store.monitoring.agents(panel.scope);
  const paused = await services.store.pauses.pausedTime(panel.scope.accountId, agents.map((agent) => agent.id), panel.since, panel.at);
  const reasons = await services.store.pauses.list(panel.scope.accountId, true);
  const figures = new Map<number | null, PauseFigures>();
  const figuresOf = (pauseReasonId: number | null) => {
    let entry = figures.get(pauseReasonId);
    if (!entry) figures.set(pauseReasonId, (entry = { pauseReasonId, agentsPaused: 0, pausedMsToday: 0 }));
    return entry;
  };
  for (const reason of reasons) if (reason.active) figuresOf(reason.id);
  for (const agent of agents) if (agent.status === 'PAUSED') figuresOf(agent.pauseReasonId).agentsPaused += 1;
  for (const row of paused) figuresOf(row.pauseReasonId).pausedMsToday += row.pausedMs;
  const order = new Map(reasons.map((reason, index) => [reason.id, index]));
  return [...figures.values()].sort((a, b) => (a.pauseReasonId === null ? 1 : b.pauseReasonId === null ? -1 : order.get(a.pauseReasonId)! - order.get(b.pauseReasonId)!));
}

export async function tagsToday(services: Services, panel: MonitoringPanel) {
  return services.store.monitoring.tagsToday(panel.scope, panel.since);
}
