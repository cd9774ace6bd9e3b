import type pg from 'pg';
import type { CommittedListener, Store, StoreReads, StoreTx } from '../store.js';
import type { NewOutboxEvent, OutboxEvent } from '../types.js';
import { StorageFailure } from '../storage-failure.js';
import { isRetryable, storageFailureOf } from './storage-failure.js';
import { connectionFailureOf, openPool, type PgConnections, type PgDb } from './client.js';
import { migrateDatabase, pendingMigrations } from './migrate.js';
import { protocolCounterOn, protocolsOfOneWrite, type DrawProtocol } from './protocols.js';
import { accountQueries } from './queries/accounts.js';
import { channelQueries } from './queries/channels.js';
import { contactQueries } from './queries/contacts.js';
import { intakeQueries } from './queries/intake.js';
import { integrationQueries } from './queries/integrations.js';
import { messageQueries } from './queries/messages.js';
import { monitoringQueries } from './queries/monitoring.js';
import { appendEventsAndCommit, outboxQueries } from './queries/outbox.js';
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

function queriesOn(db: PgDb, nextProtocol: DrawProtocol): StoreReads {
  return {
    accounts: accountQueries(db),
    users: userQueries(db),
    sectors: sectorQueries(db),
    channels: channelQueries(db),
    integrations: integrationQueries(db),
    outbox: outboxQueries(db),
    leases: leaseQueries(db),
    contacts: contactQueries(db),
    tickets: { ...ticketQueries(db), nextProtocol },
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

/** A postgres:// URL the service cannot open at start-up: said with host and port, no stack trace. */
export class DatabaseUnreachable extends Error {
  constructor(where: string, cause: unknown) {
    super(`DATABASE_URL: ${connectionFailureOf(where, cause)}`, { cause });
    this.name = 'DatabaseUnreachable';
  }
}

const maxAttempts = 5;

type Committed<T> = { result: T; committed: OutboxEvent[]; precededBy: ReadonlyMap<number, number> };

/** The PostgreSQL engine: a pool, migrated under an advisory lock on open. */
export async function openPostgresStore(url: string, poolSize: number, reportError: (error: unknown) => void, onStatement?: (sql: string) => void): Promise<Store> {
  const connections = openPool(url, poolSize, onStatement);
  try {
    await connections.pool.query('SELECT 1');
  } catch (error) {
    await connections.close();
    throw new DatabaseUnreachable(connections.where, error);
  }
  try {
    await migrateDatabase(connections.pool);
  } catch (error) {
    await connections.close();
    throw error;
  }
  return postgresStore(connections, reportError);
}

function postgresStore(connections: PgConnections, reportError: (error: unknown) => void): Store {
  const drawProtocol = protocolCounterOn(connections.counterDb);
  const reads = queriesOn(connections.db, drawProtocol);
  // A pooled connection's queries are built once, not per transaction: building every query module and
  // its prepared statements anew was a sizeable share of a small write's CPU.
  const queriesOfClient = new WeakMap<pg.PoolClient, StoreReads>();
  function queriesOfTransaction(client: pg.PoolClient, nextProtocol: DrawProtocol): StoreReads {
    let queries = queriesOfClient.get(client);
    if (!queries) queriesOfClient.set(client, (queries = queriesOn(connections.dbOn(client), drawProtocol)));
    return { ...queries, tickets: { ...queries.tickets, nextProtocol } };
  }
  const listeners = new Set<CommittedListener>();
  let unavailable: StorageFailure | null = null;

  function noteUnavailable(failure: StorageFailure): StorageFailure {
    unavailable = unavailable ? new StorageFailure(failure.reason, unavailable.since, failure.cause) : failure;
    return unavailable;
  }

  async function runTransaction<T>(work: (tx: StoreTx) => Promise<T>, nextProtocol: DrawProtocol): Promise<Committed<T>> {
    const client = await connections.pool.connect();
    let broken: Error | undefined;
    try {
      await connections.send(client, 'BEGIN');
      const pending: NewOutboxEvent[] = [];
      const tx: StoreTx = {
        ...queriesOfTransaction(client, nextProtocol),
        async record(event) {
          pending.push(event);
        },
      };
      const result = await work(tx);
      if (pending.length === 0) {
        await connections.send(client, 'COMMIT');
        return { result, committed: [], precededBy: new Map() };
      }
      // The events and COMMIT in one round trip: the outbox's order lock is held for no network wait.
      const { events: committed, precededBy } = await appendEventsAndCommit(connections, client, pending);
      return { result, committed, precededBy };
    } catch (error) {
      // After a failed COMMIT there is no transaction left, and ROLLBACK only warns.
      await connections.send(client, 'ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
      throw error;
    } finally {
      // A connection that could not even roll back is closed rather than handed to the next request.
      client.release(broken);
    }
  }

  async function write<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const protocolsOfAttempt = protocolsOfOneWrite(drawProtocol);
    for (let attempt = 1; ; attempt++) {
      try {
        const { result, committed, precededBy } = await runTransaction(work, protocolsOfAttempt());
        unavailable = null;
        // Committed is committed: a failing listener is reported, never turned into a failed write.
        for (const listener of committed.length > 0 ? listeners : []) {
          try {
            listener(committed, precededBy);
          } catch (error) {
            reportError(error);
          }
        }
        return result;
      } catch (error) {
        if (attempt < maxAttempts && isRetryable(error)) continue;
        const failure = storageFailureOf(error, new Date());
        if (!failure) throw error;
        throw noteUnavailable(failure);
      }
    }
  }

  /** Room for 64 KiB more, rolled back: what a write needing space asks. */
  async function probeWrites(): Promise<void> {
    const client = await connections.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("CREATE TEMP TABLE storage_probe (filler bytea); INSERT INTO storage_probe VALUES (decode(repeat('00', 65536), 'hex'))");
      unavailable = null;
    } catch (error) {
      const failure = storageFailureOf(error, new Date());
      if (!failure) throw error;
      noteUnavailable(failure);
    } finally {
      await client.query('ROLLBACK').catch(reportError);
      client.release();
    }
  }

  return {
    ...reads,
    write,
    async writesUnavailable() {
      if (unavailable) await probeWrites();
      return unavailable;
    },
    async pendingMigrations() {
      return pendingMigrations(connections.pool);
    },
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await connections.close();
    },
  };
}
