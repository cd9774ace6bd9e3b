import type { User, WorkingHours } from '../db/types.js';
import { ConflictError, OutsideWorkingHoursError } from './errors.js';

const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Weekday (ISO, 1 = Monday) and "HH:MM" of an instant in a time zone. */
export function localTimeOf(instant: Date, timeZone: string): { weekday: number; time: string } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: weekdays[part('weekday')] ?? 0, time: `${part('hour')}:${part('minute')}` };
}

/** No schedule means never limited ("don't limit access"); otherwise inside one interval [start, end). */
export function isWithinWorkingHours(hours: WorkingHours | null, instant: Date): boolean {
  if (!hours) return true;
  const { weekday, time } = localTimeOf(instant, hours.timeZone);
  return hours.intervals.some((interval) => interval.weekday === weekday && interval.start <= time && time < interval.end);
}

/** A USER answers only inside their working hours; an ADMIN is never limited by them. */
export function assertWithinWorkingHours(user: User, instant: Date): void {
  if (user.role === 'USER' && !isWithinWorkingHours(user.workingHours, instant)) throw new OutsideWorkingHoursError();
}

/** Taking a ticket (accept, takeNext, reopen) needs the agent ONLINE, in hours and under capacity. */
export function assertCanTakeTicket(user: User, openTickets: number, instant: Date): void {
  if (user.status !== 'ONLINE') throw new ConflictError('Set your status to ONLINE to take tickets', { reason: 'AGENT_NOT_ONLINE' });
  assertWithinWorkingHours(user, instant);
  if (user.maxConcurrentTickets !== null && openTickets >= user.maxConcurrentTickets) {
    throw new ConflictError(`You already serve ${openTickets} tickets, your limit`, { reason: 'AT_CAPACITY' });
  }
}
