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
 * they may carry contacts' personal data. The OpenTelemetry packages load only when tracing is on:
 * an instance without a collector does not pay for them at start-up.
 */
export async function createTracing(config: TracingConfig) {
  const [{ SpanKind }, { useOpenTelemetry }, { OTLPTraceExporter }, { Resource }, { BasicTracerProvider, BatchSpanProcessor }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@envelop/opentelemetry'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
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

export type Tracing = Awaited<ReturnType<typeof createTracing>>;
