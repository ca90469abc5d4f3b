// Loaded with `node -r` before a service's own code: OpenTelemetry has to patch `http` and `pg`
// before they are first required, which is why the lab's services are CommonJS.
'use strict';
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { logs } = require('@opentelemetry/api-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');

const service = process.env.LAB_SERVICE;
const collector = process.env.LAB_OTLP_URL;
if (!service || !collector) throw new Error('LAB_SERVICE and LAB_OTLP_URL must be set (the lab recorder sets them)');

const resource = resourceFromAttributes({
  'service.name': service,
  'service.version': process.env.LAB_VERSION ?? '1.0.0',
  'service.instance.id': `${service}-${process.pid}`,
  'deployment.environment.name': 'lab',
});

// Short batch delays: a recording lasts a few minutes and every span must reach the receiver.
const tracerProvider = new NodeTracerProvider({
  resource,
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collector}/v1/traces` }), { scheduledDelayMillis: 1000, maxQueueSize: 20000, maxExportBatchSize: 1000 })],
});
tracerProvider.register();

const loggerProvider = new LoggerProvider({
  resource,
  processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${collector}/v1/logs` }), scheduledDelayMillis: 1000, maxQueueSize: 20000, maxExportBatchSize: 1000 })],
});
logs.setGlobalLoggerProvider(loggerProvider);

// The lab's control and scrape endpoints are not the shop's traffic.
const isLabEndpoint = (url) => typeof url === 'string' && (url.startsWith('/__lab') || url === '/metrics');
registerInstrumentations({
  tracerProvider,
  instrumentations: [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => isLabEndpoint(req.url),
      ignoreOutgoingRequestHook: (opts) => isLabEndpoint(opts.path),
    }),
    new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
  ],
});

/** Flushes spans and logs; the service calls it on SIGTERM before exiting. */
async function shutdownTelemetry() {
  await Promise.allSettled([tracerProvider.forceFlush(), loggerProvider.forceFlush()]);
  await Promise.allSettled([tracerProvider.shutdown(), loggerProvider.shutdown()]);
}

module.exports = { shutdownTelemetry, service };
