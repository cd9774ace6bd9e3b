import { SpanKind } from '@opentelemetry/api';
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Plugin } from 'graphql-yoga';
import { serverVersion } from '../resolvers/operations.js';

export interface TracingConfig {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: an OTLP/HTTP collector; spans go to <endpoint>/v1/traces. */
  endpoint: string;
  serviceName: string;
}

/**
 * One span per GraphQL operation through @envelop/opentelemetry (the envelop plugin for it),
 * batched to an OTLP/HTTP collector. Documents, variables and results stay out of the spans:
 * they may carry contacts' personal data.
 */
export function createTracing(config: TracingConfig) {
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': config.serviceName, 'service.version': serverVersion }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.endpoint.replace(/\/+$/, '')}/v1/traces` }))],
  });
  return {
    envelopPlugin: useOpenTelemetry(
      { document: false, variables: false, result: false, resolvers: false },
      provider,
      SpanKind.SERVER,
      {},
      config.serviceName,
    ) as Plugin,
    /** Sends the spans still buffered, then stops. */
    shutdown: () => provider.shutdown(),
  };
}
