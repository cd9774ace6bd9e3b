import type { WorkingHours } from '../db/types.js';

// Weekly schedules in a time zone: "is it open at this instant" and "when does it open next".
// All wall-clock math goes through Intl, so DST shifts and zones are the platform's, not ours.

const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number; // ISO: 1 = Monday
  time: string; // HH:MM
}

export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(part('year')),
    month: Number(part('month')),
    day: Number(part('day')),
    weekday: weekdays[part('weekday')] ?? 0,
    time: `${part('hour')}:${part('minute')}`,
  };
}

/** No schedule means always open ("don't limit access"); otherwise inside one interval [start, end). */
export function isWithinHours(hours: WorkingHours | null, instant: Date): boolean {
  if (!hours) return true;
  const { weekday, time } = localTimeOf(instant, hours.timeZone);
  return hours.intervals.some((interval) => interval.weekday === weekday && interval.start <= time && time < interval.end);
}

function offsetAt(instant: number, timeZone: string): number {
  const local = localTimeOf(new Date(instant), timeZone);
  const [h, m] = local.time.split(':').map(Number) as [number, number];
  return Date.UTC(local.year, local.month - 1, local.day, h, m) - Math.floor(instant / 60_000) * 60_000;
}

/**
 * The UTC instant of a wall-clock time in a zone, resolved like Temporal's "compatible" option: a
 * time repeated by a DST fall-back gets its earlier instant; one skipped by a spring-forward gap is
 * read with the offset before the gap (02:30 in New York on 2026-03-08 is 03:30 EDT).
 */
export function instantOf(year: number, month: number, day: number, hhmm: string, timeZone: string): Date {
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetAt(wall - 86_400_000, timeZone);
  const after = offsetAt(wall + 86_400_000, timeZone);
  const candidates = [wall - before, wall - after].filter((instant) => offsetAt(instant, timeZone) === wall - instant).sort((a, b) => a - b);
  return new Date(candidates[0] ?? wall - before);
}

/** The next instant the schedule opens after `instant`; null when it never opens. */
export function nextOpening(hours: WorkingHours, instant: Date): Date | null {
  const today = localTimeOf(instant, hours.timeZone);
  let best: Date | null = null;
  for (let offset = 0; offset <= 7; offset++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset, 12));
    const weekday = ((today.weekday - 1 + offset) % 7) + 1;
    for (const interval of hours.intervals) {
      if (interval.weekday !== weekday) continue;
      const opens = instantOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), interval.start, hours.timeZone);
      if (opens > instant && (!best || opens < best)) best = opens;
    }
    if (best) return best;
  }
  return best;
}

/** "Monday 08:00" in the schedule's zone, for replies to contacts. */
export function describeOpening(opening: Date, timeZone: string, dateLocale = 'en-GB'): string {
  return new Intl.DateTimeFormat(dateLocale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(opening);
}
