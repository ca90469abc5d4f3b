package main

import (
	"context"
	"database/sql"
	"log"
	"net/http"
	"os"
	"time"

	_ "github.com/lib/pq"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/acme/ride/internal/api"
	"github.com/acme/ride/internal/driver"
	"github.com/acme/ride/internal/positions"
	"github.com/acme/ride/internal/store"
	"github.com/acme/ride/internal/telemetry"
)

func main() {
	ctx := context.Background()
	shutdown := telemetry.Setup(ctx, "ride")
	defer shutdown(ctx)

	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("open database: %v", err)
	}
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(5)

	st := store.New(db)
	cache := driver.NewLoginCache(st, 30*time.Second)

	mux := http.NewServeMux()
	mux.Handle("GET /api/rides/{id}/driver", &api.DriverHandler{Cache: cache, Store: st})
	mux.Handle("POST /internal/location", &api.LocationServer{Cache: cache, Positions: positions.NewBuffer(4096)})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

	srv := &http.Server{Addr: ":8080", Handler: otelhttp.NewHandler(mux, "ride"), ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
