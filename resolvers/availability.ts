import type { User } from '../db/types.js';
import { ConflictError, OutsideWorkingHoursError } from './errors.js';
import { isWithinHours } from './hours.js';

/** A USER answers only inside their working hours; an ADMIN is never limited by them. */
export function assertWithinWorkingHours(user: User, instant: Date): void {
  if (user.role === 'USER' && !isWithinHours(user.workingHours, instant)) throw new OutsideWorkingHoursError();
}

/** Taking a ticket (accept, takeNext, reopen) needs the agent ONLINE, in hours and under capacity. */
export function assertCanTakeTicket(user: User, openTickets: number, instant: Date): void {
  if (user.status !== 'ONLINE') throw new ConflictError('Set your status to ONLINE to take tickets', { reason: 'AGENT_NOT_ONLINE' });
  assertWithinWorkingHours(user, instant);
  if (user.maxConcurrentTickets !== null && openTickets >= user.maxConcurrentTickets) {
    throw new ConflictError(`You already serve ${openTickets} tickets, your limit`, { reason: 'AT_CAPACITY' });
  }
}

/** Can this agent be handed a ticket now: active, ONLINE, inside working hours, under capacity? */
export function isAvailable(user: User, openTickets: number, instant: Date): boolean {
  return (
    user.active &&
    user.status === 'ONLINE' &&
    isWithinHours(user.workingHours, instant) &&
    (user.maxConcurrentTickets === null || openTickets < user.maxConcurrentTickets)
  );
}
