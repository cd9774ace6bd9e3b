import type { AfterHoursRow } from '../db/types.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from './errors.js';
import { assertAgent } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';
import { scopeOfUser, ticketScopeOf } from './visibility.js';

export interface AfterHoursArgs {
  days?: number | null;
  channelId?: number | null;
  /** As this agent would see them (an ADMIN may ask for anyone, an agent for themselves). */
  userId?: number | null;
}

/** Where the call-back offer stands on the ticket: never asked, asked and unanswered, or answered. */
export type CallbackState = 'NOT_OFFERED' | 'ASKED' | 'REQUESTED' | 'DECLINED';

export interface AfterHoursContactRow extends Omit<AfterHoursRow, 'callbackRequested'> {
  /** Null when the channel does not offer call-backs. */
  callbackRequested: boolean | null;
  callbackState: CallbackState;
}

function callbackStateOf(row: AfterHoursRow): CallbackState {
  if (row.callbackRequested !== null) return row.callbackRequested ? 'REQUESTED' : 'DECLINED';
  return row.callbackAsked ? 'ASKED' : 'NOT_OFFERED';
}

/** Contacts who wrote while their channel was closed, in the last `days` (7 by default), newest first. */
export async function afterHoursContacts(services: Services, viewer: Viewer | null, args: AfterHoursArgs): Promise<AfterHoursContactRow[]> {
  assertAgent(viewer);
  const days = args.days ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new BadUserInputError('days', 'Between 1 and 90 days');
  let scope = ticketScopeOf(viewer);
  if (args.userId && args.userId !== viewer.userId) {
    if (viewer.role !== 'ADMIN') throw new ForbiddenError("Only an ADMIN may see another agent's list");
    const agent = await services.store.users.withSectors(args.userId);
    if (!agent || agent.accountId !== viewer.accountId) throw new NotFoundError('User');
    scope = scopeOfUser(agent);
  }
  const since = new Date(services.clock.now().getTime() - days * 86_400_000);
  const rows = await services.store.intake.afterHours(scope, since, args.channelId ?? null, 500);
  const channels = new Map((await services.store.channels.list(viewer.accountId)).map((channel) => [channel.id, channel]));
  return rows.map((row) => ({ ...row, callbackRequested: channels.get(row.channelId)?.offerCallback ? row.callbackRequested : null, callbackState: callbackStateOf(row) }));
}
