import type { WorkingHours as WorkingHoursShape, WorkingInterval as WorkingIntervalShape } from '../../db/types.js';
import { builder } from '../builder.js';

export const Weekday = builder.enumType('Weekday', {
  values: {
    MONDAY: { value: 1 },
    TUESDAY: { value: 2 },
    WEDNESDAY: { value: 3 },
    THURSDAY: { value: 4 },
    FRIDAY: { value: 5 },
    SATURDAY: { value: 6 },
    SUNDAY: { value: 7 },
  } as const,
});

const WorkingInterval = builder.objectRef<WorkingIntervalShape>('WorkingInterval').implement({
  fields: (t) => ({
    weekday: t.field({ type: Weekday, resolve: (interval) => interval.weekday }),
    start: t.exposeString('start', { description: 'HH:MM, local time in the schedule time zone' }),
    end: t.exposeString('end', { description: 'HH:MM (24:00 allowed), after start' }),
  }),
});

export const WorkingHours = builder.objectRef<WorkingHoursShape>('WorkingHours').implement({
  description: 'A weekly schedule; outside it a USER cannot take or answer tickets',
  fields: (t) => ({
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone, e.g. America/Sao_Paulo' }),
    intervals: t.field({ type: [WorkingInterval], resolve: (hours) => hours.intervals }),
  }),
});

const WorkingIntervalInput = builder.inputType('WorkingIntervalInput', {
  fields: (t) => ({
    weekday: t.field({ type: Weekday, required: true }),
    start: t.string({ required: true }),
    end: t.string({ required: true }),
  }),
});

export const WorkingHoursInput = builder.inputType('WorkingHoursInput', {
  description: 'Null clears the schedule: the agent is then never limited by hours',
  fields: (t) => ({
    timeZone: t.string({ required: true }),
    intervals: t.field({ type: [WorkingIntervalInput], required: true }),
  }),
});
