import { graphql, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin as EnvelopPlugin } from 'graphql-yoga';
import { pluginIntegrationOf } from '../../resolvers/integrations.js';
import { pluginRecordsOf } from '../../resolvers/plugin-records.js';
import { attachmentOfAccount } from '../../resolvers/attachments/downloads.js';
import { ticketsByIds } from '../../resolvers/tickets/queries.js';
import type { Services } from '../../resolvers/services.js';
import type { IntegrationViewer } from '../../resolvers/viewer.js';
import type { Context } from '../../schema/context.js';
import { coreTypes, type SchemaExtension } from '../../schema/index.js';
import type { DomainPubSub } from '../../schema/pubsub.js';
import type { DeskgraphPlugin, PluginApi, PluginRequest, PluginResponse, PluginSchemaKit } from './contract.js';
import type { PublicEventType } from '../../resolvers/events/event-contract.js';
import type { OutboxConsumer, OutboxRelay } from '../../resolvers/events/outbox-relay.js';

export type PluginRoute = { plugin: string; method: string; path: string; handler: (request: PluginRequest) => Promise<PluginResponse> | PluginResponse };
type Executor = { schema: GraphQLSchema; pubsub: DomainPubSub };

/** What the loaded plugins added, for the server to wire in. */
export interface PluginHost {
  schemaExtensions: SchemaExtension[];
  envelopPlugins: EnvelopPlugin[];
  routes: PluginRoute[];
  /** Gives `api.graphql` the built schema once the app exists. */
  bind(executor: Executor): void;
  stop(): Promise<void>;
}

export function schemaExtensionOf<C>(plugin: DeskgraphPlugin<C>): SchemaExtension | null {
  const define = plugin.schema;
  if (!define) return null;
  const kit: PluginSchemaKit<C> = {
    types: coreTypes,
    visibleTickets: (context: Context, ids) => (context.viewer ? ticketsByIds(context.services, context.viewer, ids) : Promise.resolve([])),
    configOf: (context: Context) => {
      const runtime = context.services.plugins.get(plugin.name);
      if (!runtime) throw new Error(`Plugin "${plugin.name}" is not loaded in this server`);
      return runtime.config as C;
    },
  };
  return { name: plugin.name, extend: (builder) => define(builder, kit) };
}

/** Runs every plugin's setup in order; the first failure stops start-up naming its plugin. */
export async function startPlugins(services: Services, relay: OutboxRelay, plugins: ReadonlyArray<{ plugin: DeskgraphPlugin<unknown>; config: unknown }>): Promise<PluginHost> {
  const envelopPlugins: EnvelopPlugin[] = [];
  const routes: PluginRoute[] = [];
  const stops: Array<() => void | Promise<void>> = [];
  let executor: Executor | null = null;
  let storageOwner: string | null = null;

  for (const { plugin, config } of plugins) {
    const name = plugin.name;
    const log = services.log.child({ plugin: name });
    const handlers: Handler[] = [];
    const integrations = new Map<number, IntegrationViewer>();
    async function integrationOf(accountId: number): Promise<IntegrationViewer> {
      let integration = integrations.get(accountId);
      if (!integration) integrations.set(accountId, (integration = await pluginIntegrationOf(services, name, accountId)));
      return integration;
    }

    const api: PluginApi<unknown> = {
      name,
      config,
      log,
      on(types, handler, options) {
        handlers.push({ types: types === '*' ? '*' : new Set(typeof types === 'string' ? [types] : types), handler: handler as never, when: options?.when as Handler['when'] });
      },
      addEnvelopPlugin: (envelopPlugin) => void envelopPlugins.push(envelopPlugin),
      route(method, path, handler) {
        if (!path.startsWith('/')) throw new Error(`Plugin "${name}": route paths start with "/" (got "${path}")`);
        routes.push({ plugin: name, method, path, handler });
      },
      records: pluginRecordsOf(services, name),
      async graphql<T>(accountId: number, query: string, variables?: Record<string, unknown>) {
        if (!executor) throw new Error(`Plugin "${name}": api.graphql is available once the server has started`);
        const contextValue: Context = { services, pubsub: executor.pubsub, viewer: await integrationOf(accountId), platform: null, authError: null, viewerToConfirm: null, clientIp: `plugin:${name}` };
        return (await graphql({ schema: executor.schema, source: query, variableValues: variables ?? {}, contextValue })) as ExecutionResult<T>;
      },
      attachments: {
        read: (accountId, id) => attachmentOfAccount(services, accountId, id),
        useStorage(storage) {
          if (storageOwner) throw new Error(`Plugin "${name}": the attachment storage is already provided by plugin "${storageOwner}"`);
          storageOwner = name;
          services.attachments.storage = storage;
        },
      },
      onStop: (stop) => void stops.push(stop),
    };

    services.plugins.set(name, { config });
    try {
      await plugin.setup(api);
    } catch (error) {
      throw new Error(`Plugin "${name}" failed to start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (handlers.length > 0) relay.add(consumerOf(name, handlers));
  }

  return {
    schemaExtensions: plugins.map(({ plugin }) => schemaExtensionOf(plugin)).filter((e): e is SchemaExtension => e !== null),
    envelopPlugins,
    routes,
    bind: (bound) => void (executor = bound),
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

type Handler = { types: Set<string> | '*'; handler: (event: never) => void | Promise<void>; when: ((type: PublicEventType, accountId: number) => boolean | Promise<boolean>) | undefined };

/** All of one plugin's handlers share one cursor: each event reaches them in order. */
function consumerOf(name: string, handlers: Handler[]): OutboxConsumer {
  const wanted = new Map<string, Set<Handler>>();
  const matches = (h: Handler, type: PublicEventType) => h.types === '*' || h.types.has(type);
  return {
    name: `plugin:${name}`,
    // Skipped, not held: the cursor is shared by every account, so holding one would stall the rest, and
    // a handler acts on the world now (a reply, an alert) where a late replay would mislead. An erasure
    // still reaches them: forgetting a person's data is a duty (LGPD, GDPR), not outbound work.
    skipsWhileSuspended: (type) => type !== 'contact.erased',
    async wants(type, accountId) {
      const chosen = new Set<Handler>();
      for (const h of handlers) if (matches(h, type) && (!h.when || (await h.when(type, accountId)))) chosen.add(h);
      wanted.set(`${type}:${accountId}`, chosen);
      return chosen.size > 0;
    },
    async handle(event) {
      const chosen = wanted.get(`${event.type}:${event.accountId}`);
      for (const h of handlers) if (matches(h, event.type) && (chosen?.has(h) ?? true)) await h.handler(event as never);
    },
  };
}
