import { StorageFailure } from '../storage-failure.js';

/** PostgreSQL's SQLSTATE under any wrapper (drizzle's DrizzleQueryError.cause). */
export function sqlStateOf(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

/** The storage failure behind an error, or null when the error is anything else (a lost connection is not one). */
export function storageFailureOf(error: unknown, at: Date): StorageFailure | null {
  if (error instanceof StorageFailure) return error;
  const state = sqlStateOf(error);
  if (state === '53100') return new StorageFailure('DISK_FULL', at, error);
  if (state === '25006') return new StorageFailure('READ_ONLY', at, error);
  if (state === '58030') return new StorageFailure('IO_ERROR', at, error);
  return null;
}

/**
 * Errors after which the whole transaction is worth running again: a racing writer committed the
 * row a read-then-insert check missed (unique_violation; the retry sees it and answers as the rules
 * say), or PostgreSQL chose this transaction to break a deadlock or a serialization conflict.
 */
export function isRetryable(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '23505' || state === '40P01' || state === '40001';
}
