import { z } from 'zod';
import type { TicketRating } from '../db/types.js';
import { ConflictError } from './errors.js';
import { parseInput } from './input-rules.js';
import { assertIngestion } from './permissions.js';
import type { Services } from './services.js';
import { visibleTicketOrThrow } from './tickets/common.js';
import type { Viewer } from './viewer.js';
import { ticketScopeOf } from './visibility.js';

const ratingRules = z.object({
  rating: z.number().int('A whole number from 1 to 5').min(1, 'From 1 to 5').max(5, 'From 1 to 5'),
  comment: z.string().trim().max(1000, 'At most 1000 characters').nullish(),
});

/** The contact's rating of a closed ticket, through ingestion, once. */
export async function rateTicket(services: Services, viewer: Viewer | null, ticketId: number, input: { rating: number; comment?: string | null }): Promise<TicketRating> {
  assertIngestion(viewer);
  const parsed = parseInput(ratingRules, input, 'input');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const ticket = await visibleTicketOrThrow(tx, ticketScopeOf(viewer), ticketId);
    if (ticket.status !== 'CLOSED') throw new ConflictError('Only a closed ticket can be rated', { reason: 'TICKET_NOT_CLOSED' });
    const rating: TicketRating = {
      ticketId: ticket.id, accountId: ticket.accountId, agentId: ticket.assigneeId, sectorId: ticket.sectorId, channelId: ticket.channelId,
      rating: parsed.rating, comment: parsed.comment || null, ratedAt: at,
    };
    if (!(await tx.monitoring.rate(rating))) throw new ConflictError('This ticket was already rated', { reason: 'ALREADY_RATED' });
    return rating;
  });
}

export async function ratingsOfTickets(services: Services, ticketIds: readonly number[]): Promise<Map<number, TicketRating>> {
  return new Map((await services.store.monitoring.ratingsOf(ticketIds)).map((rating) => [rating.ticketId, rating]));
}

/** Average rating of each agent's tickets over the last 30 days, with how many. */
export async function scoresOf(services: Services, agentIds: readonly number[]) {
  return services.store.monitoring.scoreOf(agentIds, new Date(services.clock.now().getTime() - 30 * 86_400_000));
}
