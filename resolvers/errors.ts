import { StorageFailure, type StorageFailureReason } from '../db/store.js';

// Every expected failure of the domain, each carrying its contract code (CONTRACT.md).

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'TICKET_ALREADY_TAKEN'
  | 'WINDOW_EXPIRED'
  | 'OUTSIDE_WORKING_HOURS'
  | 'CURSOR_EXPIRED'
  | 'STORAGE_UNAVAILABLE'
  | 'RATE_LIMITED';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Sign in to continue', details: Record<string, unknown> = {}) {
    super('UNAUTHENTICATED', message, details);
  }
}

/** The refusal for a token of a suspended account, the same on every path (requests, sign-in, refresh, subscriptions). */
export function accountSuspendedError(): UnauthenticatedError {
  return new UnauthenticatedError('This account is suspended', { reason: 'ACCOUNT_SUSPENDED' });
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Your role may not do this', details: Record<string, unknown> = {}) {
    super('FORBIDDEN', message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

/** `field` names the input that was rejected, as a dotted path from the argument. */
export class BadUserInputError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super('BAD_USER_INPUT', message, { field, ...details });
  }
}

/** A resume cursor older than what the outbox keeps: the client refetches instead of replaying. */
export class CursorExpiredError extends DomainError {
  constructor() {
    super('CURSOR_EXPIRED', 'Too old to replay from: refetch, then subscribe again', { field: 'after' });
  }
}

/** The account spent its budget of requests or ingested messages for now (per-account fairness). */
export class RateLimitedError extends DomainError {
  constructor(
    readonly limit: 'ACCOUNT_REQUESTS' | 'ACCOUNT_INGESTS',
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', `Too many ${limit === 'ACCOUNT_INGESTS' ? 'messages handed over' : 'requests'} for this account; try again in ${retryAfterSeconds} s`, { limit, retryAfterSeconds });
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, details);
  }
}

export class TicketAlreadyTakenError extends DomainError {
  constructor() {
    super('TICKET_ALREADY_TAKEN', 'Another agent already took this ticket');
  }
}

export class OutsideWorkingHoursError extends DomainError {
  constructor() {
    super('OUTSIDE_WORKING_HOURS', 'Outside your working hours');
  }
}

export class WindowExpiredError extends DomainError {
  constructor(lastInboundAt: Date | null) {
    super('WINDOW_EXPIRED', 'The 24-hour customer-service window is closed: send a template (active message)', {
      lastInboundAt: lastInboundAt?.toISOString() ?? null,
    });
  }
}

/** The database cannot take writes (disk full, read-only, I/O errors); the write changed nothing. */
export class StorageUnavailableError extends DomainError {
  constructor(reason: StorageFailureReason, since: Date) {
    super('STORAGE_UNAVAILABLE', 'The database cannot take changes right now; nothing was changed. Try again later.', { reason, since: since.toISOString() });
  }
}

/** The domain error an error stands for: itself, or a storage failure from the store. */
export function domainErrorOf(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  if (error instanceof StorageFailure) return new StorageUnavailableError(error.reason, error.since);
  return null;
}
