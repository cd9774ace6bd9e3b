import { z } from 'zod';
import { BadUserInputError } from './errors.js';

// The domain's input rules, shared by every entry point (GraphQL, ingestion, plugins).

export const personName = z.string().trim().min(1, 'Name is required').max(120, 'Name is at most 120 characters');

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'E-mail is at most 254 characters')
  // The HTML5 rule (what browsers accept) allows single-label hosts such as admin@localhost.
  .pipe(z.email({ pattern: z.regexes.html5Email, error: 'Not a valid e-mail address' }));

export const password = z
  .string()
  .min(8, 'Password needs at least 8 characters')
  .max(256, 'Password is at most 256 characters')
  .regex(/[0-9]/, 'Password needs a digit')
  .regex(/[A-Z]/, 'Password needs an upper-case letter')
  .regex(/[a-z]/, 'Password needs a lower-case letter');

export const avatarUrl = z
  .string()
  .trim()
  .max(2048, 'URL is at most 2048 characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'Not an http(s) URL' }));

export const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ()-]{5,24}$/, 'Not a phone number (digits, spaces, dashes, parentheses, optional leading +)');

export const maxConcurrentTickets = z
  .number()
  .int('Must be a whole number')
  .min(1, 'At least 1 (or null for no limit)')
  .max(1000, 'At most 1000');

const clockTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'Time is HH:MM, 00:00 to 23:59');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z.string().trim().refine(isTimeZone, 'Unknown IANA time zone, e.g. America/Sao_Paulo');

export const workingHours = z.object({
  timeZone,
  intervals: z
    .array(
      z
        .object({
          weekday: z.number().int().min(1).max(7),
          start: clockTime,
          end: z.union([clockTime, z.literal('24:00')]),
        })
        .refine((interval) => interval.end > interval.start, { message: 'End must be after start', path: ['end'] }),
    )
    .max(70, 'At most 70 intervals')
    .superRefine((intervals, ctx) => {
      intervals.forEach((interval, index) => {
        const overlapping = intervals.some(
          (other, otherIndex) =>
            otherIndex < index && other.weekday === interval.weekday && other.start < interval.end && interval.start < other.end,
        );
        if (overlapping) ctx.addIssue({ code: 'custom', message: 'Overlaps another interval of the same day', path: [index, 'start'] });
      });
    }),
});

export const accountName = z.string().trim().min(1, 'Name is required').max(120, 'Name is at most 120 characters');

function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

export const locale = z.string().trim().refine(isLocale, 'Not a BCP 47 language tag, e.g. pt-BR');

export const sectorName = z.string().trim().min(1, 'Name is required').max(60, 'Name is at most 60 characters');
export const color = z.string().trim().regex(/^#[0-9a-fA-F]{6}$/, 'Colour is #RRGGBB');
export const greeting = z.string().trim().max(1000, 'Greeting is at most 1000 characters');
export const channelName = z.string().trim().min(1, 'Name is required').max(80, 'Name is at most 80 characters');
export const channelAddress = z.string().trim().max(120, 'Address is at most 120 characters');
/** The host platform's id of a user: printable ASCII without spaces (Chatwoot ids, Auth0 subs "auth0|abc"), at most 128. */
export const externalId = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'An external id is 1 to 128 printable ASCII characters without spaces');
/** An Account id as the API shows it. */
export const accountId = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value);
  if (/^[1-9][0-9]{0,15}$/.test(text)) return Number(text);
  ctx.addIssue({ code: 'custom', message: 'Not an Account id' });
  return z.NEVER;
});
export const integrationName = z.string().trim().min(1, 'Name is required').max(80, 'Name is at most 80 characters');
/** A token with no scope could do nothing; repeats are harmless and dropped. */
export const integrationScopes = z
  .array(z.enum(['INGEST', 'READ']))
  .min(1, 'At least one scope')
  .transform((scopes) => [...new Set(scopes)]);

/** Parses `value`, or throws BAD_USER_INPUT naming the first rejected field under `field`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [field, ...(issue?.path ?? [])].join('.');
  throw new BadUserInputError(path, issue?.message ?? 'Invalid value');
}

/** Parses each present key of `input` with its rule; absent keys stay absent, null stays null. */
export function parseFields<R extends Record<string, z.ZodType>>(
  rules: R,
  input: { [K in keyof R]?: unknown },
  prefix = 'input',
): { [K in keyof R]?: z.output<R[K]> } {
  const parsed: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const value = input[key as keyof R];
    if (value === undefined) continue;
    parsed[key] = value === null ? null : parseInput(rule, value, `${prefix}.${key}`);
  }
  return parsed as { [K in keyof R]?: z.output<R[K]> };
}
