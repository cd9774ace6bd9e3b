import { describe, expect, it } from 'vitest';
import { describeOpening, instantOf, isWithinHours, nextOpening } from '../resolvers/hours.js';

const saoPaulo = { timeZone: 'America/Sao_Paulo', intervals: [1, 2, 3, 4, 5].map((weekday) => ({ weekday: weekday as 1, start: '08:00', end: '18:00' })) };

describe('weekly hours in a time zone', () => {
  it('is open inside [start, end) and closed at the end minute', () => {
    expect(isWithinHours(saoPaulo, new Date('2026-11-27T10:59:00Z'))).toBe(false); // Fri 07:59 local
    expect(isWithinHours(saoPaulo, new Date('2026-11-27T11:00:00Z'))).toBe(true); // Fri 08:00
    expect(isWithinHours(saoPaulo, new Date('2026-11-27T20:59:00Z'))).toBe(true); // Fri 17:59
    expect(isWithinHours(saoPaulo, new Date('2026-11-27T21:00:00Z'))).toBe(false); // Fri 18:00
    expect(isWithinHours(null, new Date('2026-11-28T03:00:00Z'))).toBe(true);
  });

  it('finds the next opening over a weekend and across midnight', () => {
    expect(nextOpening(saoPaulo, new Date('2026-11-28T00:30:00Z'))?.toISOString()).toBe('2026-11-30T11:00:00.000Z'); // Fri 21:30 -> Mon 08:00
    const night = { timeZone: 'Europe/Lisbon', intervals: [{ weekday: 7 as const, start: '22:00', end: '24:00' }, { weekday: 1 as const, start: '00:00', end: '02:00' }] };
    expect(isWithinHours(night, new Date('2026-11-29T23:30:00Z'))).toBe(true); // Sun 23:30
    expect(isWithinHours(night, new Date('2026-11-30T01:59:00Z'))).toBe(true); // Mon 01:59
    expect(isWithinHours(night, new Date('2026-11-30T02:00:00Z'))).toBe(false); // Mon 02:00
    expect(nextOpening(night, new Date('2026-11-30T02:00:00Z'))?.toISOString()).toBe('2026-12-06T22:00:00.000Z');
  });

  it('follows DST: New York springs forward on 2026-03-08', () => {
    const sunday = { timeZone: 'America/New_York', intervals: [{ weekday: 7 as const, start: '09:00', end: '17:00' }] };
    // 13:30 UTC is 09:30 EDT after the change (a fixed EST offset would say 08:30, closed).
    expect(isWithinHours(sunday, new Date('2026-03-08T13:30:00Z'))).toBe(true);
    expect(isWithinHours(sunday, new Date('2026-03-08T12:30:00Z'))).toBe(false);
    // From Saturday evening (EST), the opening is 09:00 EDT = 13:00 UTC, not 14:00.
    expect(nextOpening(sunday, new Date('2026-03-08T01:00:00Z'))?.toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(instantOf(2026, 3, 8, '02:30', 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z'); // in the gap: after it
    expect(describeOpening(new Date('2026-03-08T13:00:00Z'), 'America/New_York')).toMatch(/Sunday.*8 March.*09:00/);
  });

  it('tells two zones apart at one instant', () => {
    const lisbon = { ...saoPaulo, timeZone: 'Europe/Lisbon' };
    const instant = new Date('2026-11-27T19:00:00Z'); // Fri 19:00 Lisbon, 16:00 São Paulo
    expect(isWithinHours(lisbon, instant)).toBe(false);
    expect(isWithinHours(saoPaulo, instant)).toBe(true);
  });
});
