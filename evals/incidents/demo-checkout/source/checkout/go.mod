module github.com/acme/checkout

go 1.22

require (
	github.com/google/uuid v1.6.0
	github.com/lib/pq v1.10.9
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.52.0
	go.opentelemetry.io/otel v1.27.0
)
