import { openDatabase, type SqliteConnections, type SqliteDb } from './client.js';
import { migrateDatabase } from './migrate.js';
import { accountQueries } from './queries/accounts.js';
import { channelQueries } from './queries/channels.js';
import { contactQueries } from './queries/contacts.js';
import { intakeQueries } from './queries/intake.js';
import { integrationQueries } from './queries/integrations.js';
import { messageQueries } from './queries/messages.js';
import { monitoringQueries } from './queries/monitoring.js';
import { outboxQueries, type NewOutboxEvent } from './queries/outbox.js';
import { pluginRecordQueries } from './queries/plugin-records.js';
import { readyReplyQueries } from './queries/ready-replies.js';
import { sectorQueries } from './queries/sectors.js';
import { templateQueries } from './queries/templates.js';
import { ticketQueries } from './queries/tickets.js';
import { webhookQueries } from './queries/webhooks.js';
import { userQueries } from './queries/users.js';
import { StorageFailure, storageFailureOf } from './storage-failure.js';
import type { OutboxEvent } from './types.js';
import type BetterSqlite3 from 'better-sqlite3';

function queriesOn(db: SqliteDb) {
  return {
    accounts: accountQueries(db),
    users: userQueries(db),
    sectors: sectorQueries(db),
    channels: channelQueries(db),
    integrations: integrationQueries(db),
    outbox: outboxQueries(db),
    contacts: contactQueries(db),
    tickets: ticketQueries(db),
    messages: messageQueries(db),
    intake: intakeQueries(db),
    templates: templateQueries(db),
    readyReplies: readyReplyQueries(db),
    monitoring: monitoringQueries(db),
    pluginRecords: pluginRecordQueries(db),
    webhooks: webhookQueries(db),
  };
}

/** Every read the domain may make; the same functions run inside a write transaction. */
export type StoreReads = ReturnType<typeof queriesOn>;

export interface StoreTx extends StoreReads {
  /** Writes a domain event to the outbox in this transaction; it is published after commit. */
  record(event: NewOutboxEvent): Promise<OutboxEvent>;
}

export interface Store extends StoreReads {
  /** One IMMEDIATE transaction; writers run one at a time, reads never see it until commit. */
  write<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Called with a transaction's recorded events once it has committed. */
  onCommitted(listener: (events: OutboxEvent[]) => void): () => void;
  /**
   * Why writes fail now (disk full, read-only, I/O errors), null when they work: set by a write
   * that failed so, and while set checked again by growing the database in a rolled-back transaction.
   */
  writesUnavailable(): Promise<StorageFailure | null>;
  close(): void;
}

export interface StoreOptions {
  /** A file path (the embedded SQLite default) or a postgres:// URL (not yet supported). */
  url: string;
  reportError?: (error: unknown) => void;
  /** Called with every SQL statement run (tests count statements per request, e.g. for N+1). */
  onStatement?: (sql: string) => void;
  /** Sees the write connection once migrated (tests cap max_page_count for a full disk, set query_only for a read-only file). */
  onWriterOpen?: (writer: BetterSqlite3.Database) => void;
}

export function openStore(options: StoreOptions): Store {
  if (/^postgres(ql)?:\/\//.test(options.url)) {
    throw new Error('DATABASE_URL: the PostgreSQL backend is not available yet; use a SQLite file path');
  }
  const connections = openDatabase(options.url.replace(/^(file|sqlite):/, ''), options.onStatement);
  migrateDatabase(connections);
  options.onWriterOpen?.(connections.writer);
  return sqliteStore(connections, options.reportError ?? console.error);
}

function sqliteStore(connections: SqliteConnections, reportError: (error: unknown) => void): Store {
  const reads = queriesOn(connections.readDb);
  const txQueries = queriesOn(connections.writeDb);
  const listeners = new Set<(events: OutboxEvent[]) => void>();
  // better-sqlite3 cannot await inside its own transactions, so an async lock serialises writers.
  let queue: Promise<unknown> = Promise.resolve();
  let unavailable: StorageFailure | null = null;

  /** Keeps when writes first failed, with the latest reason. */
  function noteUnavailable(failure: StorageFailure): StorageFailure {
    unavailable = unavailable ? new StorageFailure(failure.reason, unavailable.since, failure.cause) : failure;
    return unavailable;
  }

  const totalChanges = () => connections.writer.prepare('SELECT total_changes()').pluck().get() as number;

  function rollback(): void {
    try {
      if (connections.writer.inTransaction) connections.writer.exec('ROLLBACK');
    } catch (error) {
      reportError(error);
    }
  }

  async function runTransaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const recorded: OutboxEvent[] = [];
    const tx: StoreTx = {
      ...txQueries,
      async record(event) {
        const row = await txQueries.outbox.insert(event);
        recorded.push(row);
        return row;
      },
    };
    let result: T;
    // While writes fail, only a transaction that changed something shows they work again.
    const changesBefore = unavailable ? totalChanges() : 0;
    try {
      connections.writer.exec('BEGIN IMMEDIATE');
      result = await work(tx);
      connections.writer.exec('COMMIT');
    } catch (error) {
      rollback();
      const failure = storageFailureOf(error, new Date());
      if (!failure) throw error;
      throw noteUnavailable(failure);
    }
    if (unavailable && totalChanges() > changesBefore) unavailable = null;
    // Committed is committed: a failing listener is reported, never turned into a failed write.
    for (const listener of recorded.length > 0 ? listeners : []) {
      try {
        listener(recorded);
      } catch (error) {
        reportError(error);
      }
    }
    return result;
  }

  /**
   * Room for 64 KiB more (a table and a blob), rolled back: what a write needing space asks. A
   * tiny page cache makes SQLite spill the pages to the WAL file, so a full disk answers too.
   */
  async function probeWrites(): Promise<void> {
    const cacheSize = connections.writer.pragma('cache_size', { simple: true }) as number;
    try {
      connections.writer.pragma('cache_size = 2');
      connections.writer.exec('BEGIN IMMEDIATE');
      connections.writer.exec('CREATE TABLE storage_probe (filler BLOB); INSERT INTO storage_probe VALUES (zeroblob(65536));');
      rollback();
      unavailable = null;
    } catch (error) {
      rollback();
      const failure = storageFailureOf(error, new Date());
      if (!failure) throw error;
      noteUnavailable(failure);
    } finally {
      connections.writer.pragma(`cache_size = ${cacheSize}`);
    }
  }

  function serialised<T>(run: () => Promise<T>): Promise<T> {
    const result = queue.then(run);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    ...reads,
    write<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
      return serialised(() => runTransaction(work));
    },
    async writesUnavailable() {
      if (unavailable) await serialised(probeWrites);
      return unavailable;
    },
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      connections.close();
    },
  };
}
