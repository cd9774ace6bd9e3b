import { openDatabase, type SqliteConnections, type SqliteDb } from './client.js';
import { migrateDatabase, pendingMigrations } from './migrate.js';
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
import { refreshTokenQueries } from './queries/refresh-tokens.js';
import { sectorQueries } from './queries/sectors.js';
import { templateQueries } from './queries/templates.js';
import { ticketQueries } from './queries/tickets.js';
import { webhookQueries } from './queries/webhooks.js';
import { userQueries } from './queries/users.js';
import type { OutboxEvent } from './types.js';

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
    refreshTokens: refreshTokenQueries(db),
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
  /** Committed migrations this database lacks (0 when it is ready); throws when it is unreachable. */
  pendingMigrations(): Promise<number>;
  close(): void;
}

export interface StoreOptions {
  /** A file path (the embedded SQLite default) or a postgres:// URL (not yet supported). */
  url: string;
  reportError?: (error: unknown) => void;
  /** Called with every SQL statement run (tests count statements per request, e.g. for N+1). */
  onStatement?: (sql: string) => void;
}

export function openStore(options: StoreOptions): Store {
  if (/^postgres(ql)?:\/\//.test(options.url)) {
    throw new Error('DATABASE_URL: the PostgreSQL backend is not available yet; use a SQLite file path');
  }
  const connections = openDatabase(options.url.replace(/^(file|sqlite):/, ''), options.onStatement);
  migrateDatabase(connections);
  return sqliteStore(connections, options.reportError ?? console.error);
}

function sqliteStore(connections: SqliteConnections, reportError: (error: unknown) => void): Store {
  const reads = queriesOn(connections.readDb);
  const txQueries = queriesOn(connections.writeDb);
  const listeners = new Set<(events: OutboxEvent[]) => void>();
  // better-sqlite3 cannot await inside its own transactions, so an async lock serialises writers.
  let queue: Promise<unknown> = Promise.resolve();

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
    connections.writer.exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = await work(tx);
      connections.writer.exec('COMMIT');
    } catch (error) {
      if (connections.writer.inTransaction) connections.writer.exec('ROLLBACK');
      throw error;
    }
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

  return {
    ...reads,
    write<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
      const result = queue.then(() => runTransaction(work));
      queue = result.catch(() => undefined);
      return result;
    },
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async pendingMigrations() {
      return pendingMigrations(connections);
    },
    close() {
      connections.close();
    },
  };
}
