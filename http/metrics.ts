import type { ServerResponse } from 'node:http';
import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from '@envelop/prometheus';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { DomainPubSub } from '../schema/pubsub.js';
import { operationalFigures } from '../resolvers/operations.js';
import type { Services } from '../resolvers/services.js';
import type { RelayLeaseState } from '../resolvers/events/relay-lease.js';

// Prometheus metrics through @envelop/prometheus (the envelop plugin yoga's docs point to) on a
// registry of this app's own, so several apps in one process (tests) never share counters.
// Labels stay bounded: the operation is named by its first root field, which the schema limits,
// never by the client-chosen operation name.

let processRegistry: Registry | null = null;
/** Node's own figures (memory, event loop lag, GC), collected once per process. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'deskgraph_' });
  }
  return processRegistry;
}

function rootFieldOf(document: DocumentNode | undefined, operationName: string | undefined): string | undefined {
  const operations = (document?.definitions ?? []).filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  // The plugin reports an unnamed operation as 'Anonymous': fall back to the only operation.
  const operation = operations.find((o) => o.name?.value === operationName) ?? (operations.length === 1 ? operations[0] : undefined);
  const first = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  return first?.kind === Kind.FIELD ? first.name.value : undefined;
}

export function createMetrics(
  services: Services,
  schema: GraphQLSchema,
  pubsub?: Pick<DomainPubSub, 'live' | 'recoveredCommits'>,
  relayLease?: { state(): RelayLeaseState },
  plainPosts?: () => number,
) {
  const live = pubsub?.live;
  const registry = new Registry();
  const rootFields = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) => Object.keys(type?.getFields() ?? {})),
  );
  const operationLabels = (params: FillLabelsFnParams) => {
    const field = rootFieldOf(params.document, params.operationName);
    return { operationType: params.operationType ?? 'unknown', operation: field && rootFields.has(field) ? field : 'unknown' };
  };

  const graphqlMetrics = usePrometheus({
    registry,
    skipIntrospection: true,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: { name: 'deskgraph_graphql_operations_total', help: 'GraphQL operations executed, by type and root field', labelNames: ['operationType', 'operation'] },
        fillLabelsFn: operationLabels,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'deskgraph_graphql_request_duration_seconds',
          help: 'Time from parse to result of a GraphQL operation',
          labelNames: ['operationType', 'operation'],
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        },
        fillLabelsFn: operationLabels,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: { name: 'deskgraph_graphql_errors_total', help: 'Errors in GraphQL results, by operation and phase', labelNames: ['operationType', 'operation', 'phase'] },
        fillLabelsFn: (params) => ({ ...operationLabels(params), phase: params.errorPhase ?? 'execute' }),
      }),
    },
  });

  const activeSubscriptions = new Gauge({ name: 'deskgraph_active_subscriptions', help: 'Subscriptions open now (WebSocket and SSE)', registers: [registry] });
  const countSubscriptions: Plugin = {
    onSubscribe: () => ({
      onSubscribeResult: ({ result }) => {
        if (!isAsyncIterable(result)) return undefined;
        activeSubscriptions.inc();
        return { onEnd: () => activeSubscriptions.dec() };
      },
    }),
  };

  // The live fan-out's own tallies, read at scrape time: what its index and the shared panels save shows here.
  new Counter({
    name: 'deskgraph_live_commits_judged_total',
    help: 'Committed transactions handed to a live subscription to judge, by stream (the index leaves out those that cannot concern it)',
    labelNames: ['stream'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [stream, count] of live?.judged() ?? []) this.inc({ stream }, count);
    },
  });
  new Counter({
    name: 'deskgraph_live_commits_recovered_total',
    help: 'Committed transactions this instance read from the outbox for its live subscriptions because no message (Redis) brought them in time',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(pubsub?.recoveredCommits() ?? 0);
    },
  });
  new Counter({
    name: 'deskgraph_monitoring_panels_computed_total',
    help: 'Monitoring panels computed for live subscriptions: a first panel per manager, then one per push per (account, scope) watched',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(live?.panels.computed ?? 0);
    },
  });

  new Counter({
    name: 'deskgraph_graphql_plain_posts_total',
    help: 'JSON POSTs of documents yoga had already found valid, run through its envelop without the fetch adapter',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(plainPosts?.() ?? 0);
    },
  });

  // Read from the database at scrape time: they hold across restarts and instances.
  const outboxLag = new Gauge({ name: 'deskgraph_outbox_lag_events', help: 'Recorded events an outbox consumer has not handled yet', labelNames: ['consumer'], registers: [registry] });
  const deadLetters = new Gauge({ name: 'deskgraph_outbox_dead_letters', help: 'Events a consumer set aside after every retry failed', labelNames: ['consumer'], registers: [registry] });
  const deliveries = new Gauge({ name: 'deskgraph_webhook_deliveries', help: 'Webhook deliveries by status', labelNames: ['status'], registers: [registry] });
  // This instance's own: which of several instances delivers now.
  const leaseHeld = new Gauge({ name: 'deskgraph_relay_lease_held', help: '1 while this instance holds the relay lease (delivers outbox events and webhooks), else 0', registers: [registry] });
  async function readFigures(): Promise<void> {
    leaseHeld.set(relayLease?.state().held ? 1 : 0);
    const figures = await operationalFigures(services);
    outboxLag.reset();
    deadLetters.reset();
    deliveries.reset();
    for (const { consumer, events } of figures.outboxLag) outboxLag.set({ consumer }, events);
    for (const { consumer, count } of figures.deadLetters) deadLetters.set({ consumer }, count);
    for (const { status, count } of figures.webhookDeliveries) deliveries.set({ status }, count);
  }

  return {
    envelopPlugins: [graphqlMetrics, countSubscriptions] as Plugin[],
    async serve(res: ServerResponse): Promise<void> {
      await readFigures();
      const text = `${await registry.metrics()}\n${await processMetrics().metrics()}`;
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    },
  };
}
