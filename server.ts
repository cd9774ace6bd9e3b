import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { pino, type Logger } from 'pino';
import { openStore, type StoreOptions } from './db/store.js';
import { createAccountLimits, defaultAccountLimits, type AccountLimitConfig } from './resolvers/account-limits.js';
import { createLoginThrottle, type LoginThrottleConfig } from './resolvers/auth/login-throttle.js';
import { createPasswords, type PasswordOptions } from './resolvers/auth/passwords.js';
import { createTokenService, type TokenConfig } from './resolvers/auth/tokens.js';
import { noPlatform, type PlatformSettings } from './resolvers/auth/platform.js';
import { bootstrapFirstAdmin, type BootstrapInput, type BootstrapResult } from './resolvers/bootstrap.js';
import { domainEventsOf } from './resolvers/events.js';
import type { Services } from './resolvers/services.js';
import { createContext, type Context } from './schema/context.js';
import { useViewerConfirmation } from './schema/viewer-confirmation.js';
import { createErrorMasker } from './schema/errors.js';
import { createDomainPubSub } from './schema/pubsub.js';
import { commitRecordOf } from './resolvers/live/resume.js';
import { crossInstanceTarget } from './schema/fan-out-target.js';
import { connectRedis, type RedisConnection, type RedisHealth } from './schema/redis-connection.js';
import { isJsonPost, readJsonBody } from './http/json-body.js';
import { createGraphqlPost } from './http/graphql-post.js';
import { serveTranscript } from './http/transcript-route.js';
import { serveAttachment } from './http/attachment-route.js';
import { defaultUploadLimits, type UploadLimits } from './resolvers/attachments/limits.js';
import { folderStorage } from './resolvers/attachments/storage.js';
import { buildSchema, unscopedRootFields } from './schema/index.js';
import { startPlugins, type PluginHost } from './plugins/runtime/host.js';
import { configFromEnv, loadPlugins, validatedConfig, type PluginSpec } from './plugins/runtime/loader.js';
import { startWebhooks, webhookSettings } from './resolvers/webhooks/index.js';
import { createOutboxRelay, defaultRelayOptions, type OutboxRelay, type RelayOptions } from './resolvers/events/outbox-relay.js';
import { publicEventsOf } from './resolvers/events/public-events.js';
import { pluginRouter } from './plugins/runtime/routes.js';
import { protectionPlugins, type ProtectionLimits } from './schema/protection.js';
import { useTextWithoutNul } from './schema/text-without-nul.js';
import { useEndOnSuspension } from './schema/account-suspension.js';
import { useAccountFairness } from './schema/account-fairness.js';
import { trackInFlight } from './http/http-drain.js';
import { createAccessLog } from './http/access-log.js';
import { createMetrics } from './http/metrics.js';
import { createTracing, type Tracing, type TracingConfig } from './http/tracing.js';
import { corsPolicy, type CorsOrigins } from './http/cors.js';
import { createPersistedOperations, type PersistedOperationsConfig } from './http/persisted-operations.js';
import { serveReadiness } from './http/probes.js';
import { serverVersion } from './resolvers/operations.js';
import { registeredDocumentFor } from './resolvers/persisted-operations.js';

export interface DeskgraphConfig {
  databaseUrl: string;
  /** DATABASE_POOL_SIZE: PostgreSQL connections this instance keeps. */
  databasePoolSize?: number;
  /** REDIS_URL: committed events travel between instances through it, and the login throttle is kept there. */
  redisUrl?: string;
  /** REDIS_PREFIX: names this deployment's channels and keys, so deployments can share one Redis server. */
  redisPrefix?: string;
  production: boolean;
  graphiql: boolean;
  jwt: TokenConfig;
  bootstrap: BootstrapInput;
  loginThrottle: LoginThrottleConfig;
  /** Per-account budgets of requests and ingested messages per minute (0: none); defaults otherwise. */
  accountLimits?: AccountLimitConfig;
  limits: ProtectionLimits;
  /** Largest accepted request body (HTTP) or message (WebSocket), in bytes. */
  bodyLimitBytes: number;
  /** Take the client IP from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
  passwords?: PasswordOptions;
  clock?: { now(): Date };
  /** Sees every SQL statement run (tests count statements per request; benchmarks trace). */
  onStatement?: (sql: string) => void;
  /** Sees the SQLite write connection once migrated (tests stand in for a full disk or a read-only file). */
  onWriterOpen?: StoreOptions['onWriterOpen'];
  /** PLUGINS: built-in names, package names or paths, or plugin objects; loaded in order after the built-ins. */
  plugins?: PluginSpec[];
  /** Config by plugin name; a plugin without an entry reads <NAME>_* from `env`. */
  pluginConfig?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  relay?: Partial<RelayOptions>;
  /** How long a stop waits for running requests before closing their connections (default 10 s). */
  shutdownGraceMs?: number;
  /** Trusted documents and automatic persisted queries; `only` refuses every other document. */
  persistedOperations?: PersistedOperationsConfig;
  /** Browser origins allowed by CORS; default: any in development, none in production. */
  corsOrigins?: CorsOrigins;
  /** OpenTelemetry tracing, on when an OTLP endpoint is configured. */
  tracing?: TracingConfig;
  /** How long one setTicketPresence holds (10 s by default); the console renews it. */
  presenceLeaseMs?: number;
  /** The host platform's credential (SHA-256 digests of its tokens) and sign-on provisioning; none by default. */
  platform?: PlatformSettings;
  /** Upload limits, and the folder of the default attachment storage (<data dir>/attachments). */
  uploads?: Partial<UploadLimits> & { directory?: string };
}

export interface RunningDeskgraph {
  url: string;
  port: number;
  services: Services;
  bootstrap: BootstrapResult;
  relay: OutboxRelay;
  stop(): Promise<void>;
}

type ServerContext = { req: IncomingMessage; res: ServerResponse };

function clientIpOf(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress || 'unknown';
}

function isMultipartPost(req: IncomingMessage): boolean {
  return req.method === 'POST' && (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

function reject(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST', http: { status } } }] }));
}

/** One HTTP server, one path: yoga serves POST/GET/SSE and graphql-ws takes the upgrades. */
export function buildApp(services: Services, config: DeskgraphConfig, plugins?: PluginHost, redis?: RedisConnection | null, relay?: OutboxRelay, tracing?: Tracing | null) {
  const pubsub = createDomainPubSub(services.events, commitRecordOf(services), {
    ...(redis ? { eventTarget: crossInstanceTarget(redis), away: () => !redis.available() } : {}),
    presenceLeaseMs: config.presenceLeaseMs,
    reportError: (err) => services.log.error({ err }, 'reading live commits from the outbox failed'),
  });
  const schema = buildSchema(plugins?.schemaExtensions);
  const unscoped = unscopedRootFields(schema);
  // A plugin's root field without authScopes would be open to anyone: refuse to start instead.
  if (unscoped.length > 0) throw new Error(`Root fields without authScopes: ${unscoped.join(', ')}`);
  plugins?.bind({ schema, pubsub });
  const accessLog = createAccessLog(services.log);
  const persisted = createPersistedOperations(config.persistedOperations ?? { only: false }, async (hash, authorization) => {
    const { viewer } = await createContext(services, pubsub, { authorization, clientIp: '' });
    return registeredDocumentFor(services, viewer, hash);
  });
  const routePlugin = pluginRouter(plugins?.routes ?? [], services.log, config.bodyLimitBytes);
  const cors = corsPolicy(config.corsOrigins ?? (config.production ? [] : '*'));
  const maskError = createErrorMasker(services.log, config.production);
  const graphqlPost = createGraphqlPost({
    endpoint: '/graphql',
    enabled: !config.persistedOperations?.only && (plugins?.envelopPlugins.length ?? 0) === 0,
    cors,
    maskError,
  });
  const metrics = createMetrics(services, schema, pubsub, relay?.lease, graphqlPost.served);
  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: config.graphiql ? { subscriptionsProtocol: 'WS', title: 'Deskgraph' } : false,
    // GraphiQL's assets come from the installed package (no CDN), loaded on the first page view.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    cors,
    landingPage: false,
    logging: false,
    maskedErrors: { maskError, isDev: false },
    plugins: [
      ...persisted.plugins,
      ...protectionPlugins(config.limits, config.production),
      useTextWithoutNul(),
      useViewerConfirmation(),
      useEndOnSuspension(services),
      useAccountFairness(),
      ...(tracing ? [tracing.envelopPlugin] : []),
      ...metrics.envelopPlugins,
      accessLog.envelopPlugin,
      useGraphQlJit({}, { enableIf: (args) => getOperationAST(args.document, args.operationName)?.operation !== 'subscription' }),
      ...(plugins?.envelopPlugins ?? []),
      graphqlPost.plugin,
    ],
    context: ({ request, req, connectionParams }: { request: Request; req: IncomingMessage; connectionParams?: Record<string, unknown> }) =>
      createContext(services, pubsub, {
        authorization: connectionParams ? (connectionParams['authorization'] ?? connectionParams['token']) : request.headers.get('authorization'),
        clientIp: clientIpOf(req, config.trustProxy),
        confirmedByEnvelop: !connectionParams,
      }),
  });

  const server: Server = createServer((req, res) => {
    accessLog.begin(req, res);
    if (!inFlight.admit(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/readyz') return void serveReadiness(services, res, redis?.health());
    if (path === '/metrics') return void metrics.serve(res).catch(() => reject(res, 503, 'Metrics unavailable'));
    if (path === '/healthz') {
      // Reads still served while writes fail (disk full, read-only): 200 and "degraded", since
      // taking the instance out of service would stop the reads too, and restarting frees no disk.
      Promise.all([services.store.accounts.count(), services.store.writesUnavailable()])
        .then(([, unavailable]) => {
          const fanOut = redisHealthOf(redis?.health());
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify(
              unavailable
                ? { status: 'degraded', writes: 'unavailable', reason: unavailable.reason, since: unavailable.since.toISOString(), ...fanOut, version: serverVersion }
                : { status: fanOut.redis === 'unavailable' ? 'degraded' : 'ok', ...fanOut, version: serverVersion },
            ),
          );
        })
        .catch(() => reject(res, 503, 'Database unavailable'));
      return;
    }
    const attachment = /^\/attachments\/([^/]+)$/.exec(path ?? '');
    if (attachment && req.method === 'GET') {
      void serveAttachment(services, pubsub, req, res, attachment[1]!, clientIpOf(req, config.trustProxy));
      return;
    }
    const transcript = /^\/tickets\/([^/]+)\/transcript\.pdf$/.exec(path ?? '');
    if (transcript && req.method === 'GET') {
      void serveTranscript(services, pubsub, req, res, transcript[1]!, clientIpOf(req, config.trustProxy), config.trustProxy);
      return;
    }
    if (path?.startsWith('/plugins/')) {
      void routePlugin(req, res, new URL(req.url ?? '/', 'http://localhost'));
      return;
    }
    if (req.method === 'POST') {
      const length = Number(req.headers['content-length']);
      // Node's parser reads exactly Content-Length bytes, so checking the header bounds the body.
      if (req.headers['content-length'] === undefined) return reject(res, 411, 'Content-Length is required');
      // A multipart request carries files: room for the most files of the largest size besides the operation.
      const limits = services.attachments.limits;
      const bodyLimit = isMultipartPost(req) ? config.bodyLimitBytes + limits.maxFiles * limits.maxBytes : config.bodyLimitBytes;
      if (!(length <= bodyLimit)) return reject(res, 413, `Request body is limited to ${bodyLimit} bytes`);
      if (length > 0 && isJsonPost(req)) {
        return readJsonBody(req, (body) => {
          const plain = graphqlPost.plainRequest(req, body);
          void (plain ? graphqlPost.serve(yoga, req, res, plain) : yoga.requestListener(req, res));
        });
      }
    }
    void yoga.requestListener(req, res);
  });

  const inFlight = trackInFlight(server);
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: config.bodyLimitBytes });
  const socketServer = useServer<Record<string, unknown>>(
    {
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      // A socket without a valid token is closed with 4403 before any operation runs.
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const context = await createContext(services, pubsub, {
          authorization: params['authorization'] ?? params['token'],
          clientIp: clientIpOf(ctx.extra.request, config.trustProxy),
        });
        return context.viewer !== null;
      },
      onSubscribe: async (ctx, _id, params) => {
        const connection = ctx.connectionParams ?? {};
        const query = await persisted.socketQuery(params, connection['authorization'] ?? connection['token']);
        if (query instanceof GraphQLError) return [query];
        const { schema: envelopedSchema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        // A client's mistake answers this operation with coded errors (as yoga's over HTTP); thrown, it would close the socket.
        let document: ExecutionArgs['document'];
        try {
          document = parse(query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: ExecutionArgs = {
          schema: envelopedSchema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        if (!getOperationAST(document, params.operationName)) {
          return [new GraphQLError('Name the operation to run (operationName): the document holds none or several', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
        }
        return args;
      },
    },
    sockets,
  );

  return {
    yoga,
    server,
    listen(port: number, host?: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    /** Refuses new requests, closes sockets with 1001, lets running requests finish (up to the grace). */
    async close(): Promise<void> {
      const drained = inFlight.drain(config.shutdownGraceMs ?? 10_000);
      for (const socket of sockets.clients) socket.close(1001, 'Server shutting down');
      await socketServer.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await drained;
      pubsub.stop();
      await tracing?.shutdown();
    },
  };
}

/**
 * What /healthz says of Redis (nothing without REDIS_URL). Away, the instance still serves everything and its
 * own subscribers' events: degraded, not down.
 */
function redisHealthOf(health: RedisHealth | undefined): { redis?: 'ok' | 'unavailable'; redisSince?: string; redisReason?: string } {
  if (!health) return {};
  if (health.state === 'ok') return { redis: 'ok' };
  return { redis: 'unavailable', redisSince: health.since.toISOString(), redisReason: health.reason };
}

/** Beside the database file; for a database elsewhere (PostgreSQL), ./data as the other defaults. */
function defaultAttachmentFolder(databaseUrl: string): string {
  const dataDir = /^postgres/.test(databaseUrl) ? resolve('./data') : dirname(resolve(databaseUrl.replace(/^(file|sqlite):/, '')));
  return join(dataDir, 'attachments');
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Opens (and migrates) the store and wires what every domain function uses. */
export async function createServices(config: DeskgraphConfig, log: Logger, redis?: RedisConnection | null): Promise<Services> {
  const clock = config.clock ?? { now: () => new Date() };
  // Checked before the store opens, so a bad setting leaves nothing open behind it.
  const webhooks = validatedConfig('webhooks', webhookSettings, config.pluginConfig?.['webhooks'] ?? configFromEnv('webhooks', config.env ?? {}));
  const { directory, ...limits } = config.uploads ?? {};
  const store = await openStore({
    url: config.databaseUrl,
    ...(config.databasePoolSize ? { poolSize: config.databasePoolSize } : {}),
    reportError: (err) => log.error({ err }, 'event listener failed'),
    ...(config.onStatement ? { onStatement: config.onStatement } : {}),
    ...(config.onWriterOpen ? { onWriterOpen: config.onWriterOpen } : {}),
  });
  return {
    store,
    events: domainEventsOf(store),
    clock,
    tokens: createTokenService(config.jwt, clock),
    platform: config.platform ?? noPlatform,
    passwords: createPasswords(config.passwords),
    loginThrottle: createLoginThrottle(config.loginThrottle, redis ? { storeClient: redis.commands, prefix: redis.prefix } : undefined),
    accountLimits: createAccountLimits(config.accountLimits ?? defaultAccountLimits, redis ? { storeClient: redis.commands, prefix: redis.prefix } : undefined),
    log,
    webhooks,
    plugins: new Map(),
    attachments: { storage: folderStorage(directory ?? defaultAttachmentFolder(config.databaseUrl)), limits: { ...defaultUploadLimits, ...withoutUndefined(limits) } },
  };
}

/** migrate -> bootstrap -> listen; what `npm start` and the tests both run. */
export async function startDeskgraph(
  config: DeskgraphConfig,
  options: { port: number; host?: string; log?: Logger },
): Promise<RunningDeskgraph> {
  const log = options.log ?? pino({ level: 'info' });
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, config.redisPrefix ?? 'deskgraph', log.child({ component: 'redis' })) : null;
  let services: Services;
  try {
    // Up to a few seconds for Redis, so a fresh instance hears the others from its first request; it starts without it too.
    await redis?.whenConnected(5000);
    services = await createServices(config, log, redis);
  } catch (error) {
    await redis?.close();
    throw error;
  }
  const store = services.store;
  const relay = createOutboxRelay(store, publicEventsOf(services), log.child({ component: 'outbox-relay' }), services.clock, { ...defaultRelayOptions, ...config.relay });
  let plugins: PluginHost | null = null;
  const stopWebhooks = startWebhooks(services, relay);
  try {
    const bootstrap = await bootstrapFirstAdmin(services, config.bootstrap);
    plugins = await startPlugins(services, relay, await loadPlugins(config.plugins ?? [], config.pluginConfig ?? {}, config.env ?? {}));
    const app = buildApp(services, config, plugins, redis, relay, config.tracing ? await createTracing(config.tracing) : null);
    const port = await app.listen(options.port, options.host);
    // Consumers start after the app listens: events committed before a crash are replayed now.
    await relay.start();
    const running = plugins;
    return {
      url: `http://${options.host ?? 'localhost'}:${port}/graphql`,
      port,
      services,
      bootstrap,
      relay,
      async stop() {
        await app.close();
        await relay.stop();
        await running.stop();
        await stopWebhooks();
        await store.close();
        await redis?.close();
      },
    };
  } catch (error) {
    await relay.stop();
    await plugins?.stop();
    await stopWebhooks();
    await store.close();
    await redis?.close();
    throw error;
  }
}
