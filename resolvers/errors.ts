// Every expected failure of the domain, each carrying its contract code (CONTRACT.md).

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'TICKET_ALREADY_TAKEN'
  | 'WINDOW_EXPIRED'
  | 'OUTSIDE_WORKING_HOURS';

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
  ) {
    super('BAD_USER_INPUT', message, { field });
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
