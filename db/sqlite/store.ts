import type { Store, StoreReads, StoreTx } from '../store.js';
import type { OutboxEvent } from '../types.js';
import { openDatabase, type SqliteConnections, type SqliteDb } from './client.js';
import { migrateDatabase } from './migrate.js';
import { accountQueries } from './queries/accounts.js';
import { channelQueries } from './queries/channels.js';
import { contactQueries } from './queries/contacts.js';
import { intakeQueries } from './queries/intake.js';
import { integrationQueries } from './queries/integrations.js';
import { messageQueries } from './queries/messages.js';
import { monitoringQueries } from './queries/monitoring.js';
import { outboxQueries } from './queries/outbox.js';
import { pluginRecordQueries } from './queries/plugin-records.js';
import { readyReplyQueries } from './queries/ready-replies.js';
import { sectorQueries } from './queries/sectors.js';
import { templateQueries } from './queries/templates.js';
import { ticketQueries } from './queries/tickets.js';
import { webhookQueries } from './queries/webhooks.js';
import { userQueries } from './queries/users.js';

function queriesOn(db: SqliteDb): StoreReads {
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

/** The embedded engine: one database file, migrated on open. */
export function openSqliteStore(path: string, reportError: (error: unknown) => void, onStatement?: (sql: string) => void): Store {
  const connections = openDatabase(path, onStatement);
  migrateDatabase(connections);
  return sqliteStore(connections, reportError);
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
    close() {
      connections.close();
    },
  };
}
