import { StorageFailure } from '../storage-failure.js';

/** SQLite's extended result code (better-sqlite3's SqliteError.code) under any wrapper (drizzle's DrizzleQueryError.cause). */
function sqliteCodeOf(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return null;
}

/** The storage failure behind an error, or null when the error is anything else. */
export function storageFailureOf(error: unknown, at: Date): StorageFailure | null {
  if (error instanceof StorageFailure) return error;
  const code = sqliteCodeOf(error);
  if (code === 'SQLITE_FULL') return new StorageFailure('DISK_FULL', at, error);
  if (code?.startsWith('SQLITE_READONLY')) return new StorageFailure('READ_ONLY', at, error);
  if (code?.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return new StorageFailure('IO_ERROR', at, error);
  return null;
}
