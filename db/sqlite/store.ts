import type { CommittedListener, Store, StoreReads, StoreTx } from '../store.js';
import type { NewOutboxEvent, OutboxEvent } from '../types.js';
import type BetterSqlite3 from 'better-sqlite3';
import { StorageFailure } from '../storage-failure.js';
import { storageFailureOf } from './storage-failure.js';
import { openDatabase, type SqliteConnections, type SqliteDb } from './client.js';
import { migrateDatabase, pendingMigrations } from './migrate.js';
import { accountQueries } from './queries/accounts.js';
import { channelQueries } from './queries/channels.js';
import { contactQueries } from './queries/contacts.js';
import { intakeQueries } from './queries/intake.js';
import { integrationQueries } from './queries/integrations.js';
import { messageQueries } from './queries/messages.js';
import { monitoringQueries } from './queries/monitoring.js';
import { outboxQueries } from './queries/outbox.js';
import { leaseQueries } from './queries/leases.js';
import { pluginRecordQueries } from './queries/plugin-records.js';
import { readyReplyQueries } from './queries/ready-replies.js';
import { refreshTokenQueries } from './queries/refresh-tokens.js';
import { sectorQueries } from './queries/sectors.js';
import { templateQueries } from './queries/templates.js';
import { ticketQueries } from './queries/tickets.js';
import { webhookQueries } from './queries/webhooks.js';
import { userQueries } from './queries/users.js';
import { notificationQueries } from './queries/notifications.js';
import { pauseQueries } from './queries/pauses.js';
import { persistedOperationQueries } from './queries/persisted-operations.js';
import { routingDecisionQueries } from './queries/routing-decisions.js';
import { personalDataQueries } from './queries/personal-data.js';

function queriesOn(db: SqliteDb): StoreReads {
  return {
    accounts: accountQueries(db),
    users: userQueries(db),
    sectors: sectorQueries(db),
    channels: channelQueries(db),
    integrations: integrationQueries(db),
    outbox: outboxQueries(db),
    leases: leaseQueries(db),
    contacts: contactQueries(db),
    tickets: ticketQueries(db),
    messages: messageQueries(db),
    intake: intakeQueries(db),
    templates: templateQueries(db),
    readyReplies: readyReplyQueries(db),
    monitoring: monitoringQueries(db),
    pluginRecords: pluginRecordQueries(db),
    webhooks: webhookQueries(db),
    refreshTokens: refreshTokenQueries(db),
    pauses: pauseQueries(db),
    persistedOperations: persistedOperationQueries(db),
    notifications: notificationQueries(db),
    routingDecisions: routingDecisionQueries(db),
    personalData: personalDataQueries(db),
  };
}

/** The embedded engine: one database file, migrated on open. */
export function openSqliteStore(
  path: string,
  reportError: (error: unknown) => void,
  onStatement?: (sql: string) => void,
  onWriterOpen?: (writer: BetterSqlite3.Database) => void,
): Store {
  const connections = openDatabase(path, onStatement);
  migrateDatabase(connections);
  onWriterOpen?.(connections.writer);
  return sqliteStore(connections, reportError);
}

function sqliteStore(connections: SqliteConnections, reportError: (error: unknown) => void): Store {
  const reads = queriesOn(connections.readDb);
  const txQueries = queriesOn(connections.writeDb);
  const writerOutbox = outboxQueries(connections.writeDb);
  const listeners = new Set<CommittedListener>();
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
    const pending: NewOutboxEvent[] = [];
    let recorded: OutboxEvent[] = [];
    let precededBy = new Map<number, number>();
    const tx: StoreTx = {
      ...txQueries,
      async record(event) {
        pending.push(event);
      },
    };
    let result: T;
    // While writes fail, only a transaction that changed something shows they work again.
    const changesBefore = unavailable ? totalChanges() : 0;
    try {
      connections.writer.exec('BEGIN IMMEDIATE');
      result = await work(tx);
      if (pending.length > 0) ({ events: recorded, precededBy } = await writerOutbox.insertCommit(pending));
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
        listener(recorded, precededBy);
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
    async pendingMigrations() {
      return pendingMigrations(connections);
    },
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      connections.close();
    },
  };
}
