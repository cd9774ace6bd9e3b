import type { Plugin as EnvelopPlugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type { ticketsByIds } from '../../resolvers/tickets/queries.js';
import type { Context } from '../../schema/context.js';
import type { CoreTypes, SchemaBuilder } from '../../schema/index.js';
import type { PublicEvent, PublicEventType } from '../../resolvers/events/event-contract.js';
import type { AttachmentStorage } from '../../resolvers/attachments/storage.js';

export type { AttachmentStorage } from '../../resolvers/attachments/storage.js';

export { UndeliverableEvent } from '../../resolvers/events/outbox-relay.js';

/** What a plugin module exports (default export or `plugin`). */
export interface DeskgraphPlugin<Config = unknown> {
  /** Lower-case letters, digits and dashes: names its routes (/plugins/<name>/) and config (<NAME>_*). */
  name: string;
  /** Validates the plugin's config; a failure stops start-up naming the plugin and the field. */
  config?: ZodType<Config>;
  /**
   * Types and fields added with the Pothos builder. Pothos holds one schema per process, so this
   * runs once per process, apart from setup; resolvers reach their app through `kit`.
   */
  schema?(builder: SchemaBuilder, kit: PluginSchemaKit<Config>): void;
  /** Runs at start-up, in PLUGINS order; throwing stops start-up with a message naming the plugin. */
  setup(api: PluginApi<Config>): void | Promise<void>;
}

type Ticket = Awaited<ReturnType<typeof ticketsByIds>>[number];

export interface PluginSchemaKit<Config> {
  types: CoreTypes;
  /** The same visibility rule as every ticket read: ids the viewer may not see are simply absent. */
  visibleTickets(context: Context, ids: readonly number[]): Promise<Ticket[]>;
  /** This plugin's config in the app serving the request. */
  configOf(context: Context): Config;
}

export type EventHandler<K extends PublicEventType> = (event: PublicEvent<K>) => void | Promise<void>;

export interface PluginRequest {
  method: string;
  /** Path below /plugins/<name>, e.g. "/webhook". */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface PluginResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * The plugin's own small records, each under a Deskgraph account (the account first, as in
 * `api.graphql`): the same kind and key in two accounts are two records, and deleting an account
 * removes its records.
 */
export interface PluginRecords {
  get<T>(accountId: number, kind: string, key: string): Promise<T | null>;
  put(accountId: number, kind: string, key: string, value: unknown): Promise<void>;
  /** Stores only when absent; true when this call stored it (idempotency keys). */
  claim(accountId: number, kind: string, key: string, value: unknown): Promise<boolean>;
  delete(accountId: number, kind: string, key: string): Promise<void>;
}

export interface PluginAttachments {
  /** An uploaded file of the account (the `id` of an attachment in message.created), or null when there is none. */
  read(accountId: number, id: string): Promise<{ bytes: Uint8Array; mime: string; name: string | null; size: number } | null>;
  /**
   * Stores uploaded files here instead of the data folder (a shared volume, an object store); call it in
   * setup. One plugin at most: a second one stops start-up. Files stored before keep their old keys.
   */
  useStorage(storage: AttachmentStorage): void;
}

export interface PluginApi<Config = unknown> {
  name: string;
  config: Config;
  log: Logger;
  /**
   * Handles committed events, in order, at least once (its own outbox cursor survives restarts).
   * A handler that throws is retried with backoff, then set aside; it never fails the mutation.
   * Throwing `UndeliverableEvent` sets the event aside at once (retrying cannot help).
   */
  on<K extends PublicEventType>(types: K | readonly K[] | '*', handler: EventHandler<K>, options?: { when?(type: K, accountId: number): boolean | Promise<boolean> }): void;
  /** A yoga/envelop plugin added to the GraphQL pipeline. */
  addEnvelopPlugin(plugin: EnvelopPlugin): void;
  /** An HTTP route at /plugins/<name><path>; errors answer 500 and are logged. */
  route(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, handler: (request: PluginRequest) => Promise<PluginResponse> | PluginResponse): void;
  records: PluginRecords;
  /**
   * Runs a GraphQL operation as this plugin's own integration of the account (created on first
   * use, named "plugin:<name>"): the public API, its scopes and rules, nothing private.
   */
  graphql<T = Record<string, unknown>>(accountId: number, query: string, variables?: Record<string, unknown>): Promise<ExecutionResult<T>>;
  attachments: PluginAttachments;
  /** Called on shutdown, after the server stopped taking requests. */
  onStop(stop: () => void | Promise<void>): void;
}
