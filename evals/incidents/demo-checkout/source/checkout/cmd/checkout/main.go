package main

import (
	"context"
	"database/sql"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	_ "github.com/lib/pq"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/acme/checkout/internal/api"
	"github.com/acme/checkout/internal/orders"
	"github.com/acme/checkout/internal/telemetry"
)

func main() {
	ctx := context.Background()
	shutdown := telemetry.Setup(ctx, "checkout")
	defer shutdown(ctx)
	logger := slog.New(slog.NewTextHandler(os.Stdout, nil))

	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("open database: %v", err)
	}
	db.SetMaxOpenConns(20)

	svc := orders.NewService(orders.NewRepository(db), logger)
	mux := http.NewServeMux()
	mux.Handle("POST /api/checkout", &api.CheckoutHandler{Orders: svc, Log: logger})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

	srv := &http.Server{Addr: ":8080", Handler: otelhttp.NewHandler(mux, "checkout"), ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
