// Go source of the demo services, written into the bundle's source/ tree. Profile locations,
// exception stack traces and span code.* attributes take their line numbers from these texts
// (by searching for a marker), so the bundle's signals and its source always agree.

export interface SourceFile {
  service: string;
  /** Path inside the service's repository. */
  path: string;
  text: string;
}

const RIDE_GO_MOD = `module github.com/acme/ride

go 1.22

require (
	github.com/lib/pq v1.10.9
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.52.0
	go.opentelemetry.io/otel v1.27.0
)
`;

const RIDE_MAIN = `package main

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
`;

const RIDE_HANDLER = `// Package api serves the ride HTTP endpoints.
package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/acme/ride/internal/driver"
	"github.com/acme/ride/internal/store"
)

// DriverHandler answers GET /api/rides/{id}/driver: who is driving the car assigned to a ride.
type DriverHandler struct {
	Cache *driver.LoginCache
	Store *store.Store
}

type driverResponse struct {
	RideID   int64  \`json:"ride_id"\`
	DriverID int64  \`json:"driver_id"\`
	Name     string \`json:"name"\`
	CarID    int64  \`json:"car_id"\`
	LastSeen string \`json:"last_seen"\`
}

func (h *DriverHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rideID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad ride id", http.StatusBadRequest)
		return
	}
	ride, err := h.Store.Ride(ctx, rideID)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "ride not found", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}

	login, ok := h.Cache.Lookup(ctx, ride.DriverID)
	if !ok {
		// Not in the cache (or the cache is cold): ask the database for the latest login.
		login, err = h.Store.LatestLogin(ctx, ride.DriverID)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}

	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(driverResponse{
		RideID:   ride.ID,
		DriverID: login.DriverID,
		Name:     ride.DriverName,
		CarID:    login.CarID,
		LastSeen: login.LastSeen.UTC().Format("2006-01-02T15:04:05Z"),
	})
}
`;

const RIDE_LOCATION = `package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/acme/ride/internal/driver"
	"github.com/acme/ride/internal/positions"
)

// LocationServer receives the position pings of the drivers' apps: one long-lived streaming
// request per driver, a JSON object per ping every few seconds. Pings are not traced (one span
// per ping would dwarf every other trace) but they share the login cache with DriverHandler.
type LocationServer struct {
	Cache     *driver.LoginCache
	Positions *positions.Buffer
}

type ping struct {
	DriverID int64     \`json:"driver_id"\`
	CarID    int64     \`json:"car_id"\`
	Lat      float64   \`json:"lat"\`
	Lon      float64   \`json:"lon"\`
	At       time.Time \`json:"at"\`
}

func (s *LocationServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	dec := json.NewDecoder(r.Body)
	for {
		var p ping
		if err := dec.Decode(&p); err != nil {
			return // stream closed by the app
		}
		// Only keep positions of a driver logged into the car the ping comes from.
		login, ok := s.Cache.Lookup(ctx, p.DriverID)
		if !ok || login.CarID != p.CarID {
			continue
		}
		s.Positions.Add(p.DriverID, p.Lat, p.Lon, p.At)
	}
}
`;

const RIDE_POSITIONS = `// Package positions keeps the latest positions of drivers for dispatch.
package positions

import (
	"sync"
	"time"
)

// Position is one driver position.
type Position struct {
	DriverID int64
	Lat, Lon float64
	At       time.Time
}

// Buffer is a fixed-size ring of recent positions, flushed to dispatch in batches.
type Buffer struct {
	mu   sync.Mutex
	ring []Position
	next int
}

// NewBuffer returns a ring holding size positions.
func NewBuffer(size int) *Buffer { return &Buffer{ring: make([]Position, size)} }

// Add records a position, overwriting the oldest one when the ring is full.
func (b *Buffer) Add(driverID int64, lat, lon float64, at time.Time) {
	b.mu.Lock()
	b.ring[b.next] = Position{DriverID: driverID, Lat: lat, Lon: lon, At: at}
	b.next = (b.next + 1) % len(b.ring)
	b.mu.Unlock()
}
`;

const RIDE_CACHE = `// Package driver keeps an in-process view of which driver is logged into which car.
package driver

import (
	"context"
	"sync"
	"time"

	"github.com/acme/ride/internal/store"
)

// LoginCache caches active car logins so that the driver endpoint does not query car_login on
// every call.
//
// 1.8.0: the cache now holds every active login in one slice, refreshed in bulk (see
// refreshLocked), instead of a small map keyed by driver id. Lookup scans the whole slice while
// holding the cache-wide mutex, so concurrent requests queue behind each other.
type LoginCache struct {
	mu      sync.Mutex
	entries []store.CarLogin
	loaded  time.Time
	ttl     time.Duration
	store   *store.Store
}

// NewLoginCache returns an empty cache that reloads itself after ttl.
func NewLoginCache(s *store.Store, ttl time.Duration) *LoginCache {
	return &LoginCache{store: s, ttl: ttl}
}

// Lookup returns the most recent active login of driverID, and false when the cache has none.
func (c *LoginCache) Lookup(ctx context.Context, driverID int64) (store.CarLogin, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.loaded) > c.ttl {
		c.refreshLocked(ctx)
	}
	var best store.CarLogin
	found := false
	for _, e := range c.entries {
		if e.DriverID != driverID || !e.Active {
			continue
		}
		if !found || e.LastSeen.After(best.LastSeen) {
			best, found = e, true
		}
	}
	return best, found
}

// refreshLocked reloads every active login. The caller holds c.mu.
func (c *LoginCache) refreshLocked(ctx context.Context) {
	logins, err := c.store.ActiveLogins(ctx)
	if err != nil {
		// Keep serving the stale view; the handler falls back to the database on a miss.
		return
	}
	c.entries = logins
	c.loaded = time.Now()
}
`;

const RIDE_STORE = `// Package store is ride's PostgreSQL access layer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// Store wraps the ride database.
type Store struct {
	db *sql.DB
}

// New returns a Store over db.
func New(db *sql.DB) *Store { return &Store{db: db} }

// Ride is a booked ride and its assigned driver.
type Ride struct {
	ID         int64
	DriverID   int64
	DriverName string
}

const rideQuery = "SELECT r.id, r.driver_id, d.name FROM rides r JOIN drivers d ON d.id = r.driver_id WHERE r.id = $1"

// Ride loads one ride with its driver's name.
func (s *Store) Ride(ctx context.Context, id int64) (Ride, error) {
	var r Ride
	err := s.db.QueryRowContext(ctx, rideQuery, id).Scan(&r.ID, &r.DriverID, &r.DriverName)
	if errors.Is(err, sql.ErrNoRows) {
		return Ride{}, ErrNotFound
	}
	return r, err
}

// CarLogin is one login of a driver into a car.
type CarLogin struct {
	ID       int64
	DriverID int64
	CarID    int64
	LastSeen time.Time
	Active   bool
}
`;

const RIDE_CARLOGIN = `package store

import (
	"context"
	"fmt"
)

// latestLoginQuery needs an index on (driver_id, active, last_seen); migration 0014 dropped the
// old driver_id index when car_login was rebuilt for 1.8.0, so this became a sequential scan.
const latestLoginQuery = "SELECT id, driver_id, last_seen FROM car_login WHERE driver_id = $1 AND active = true ORDER BY last_seen DESC LIMIT 1"

const activeLoginsQuery = "SELECT id, driver_id, car_id, last_seen, active FROM car_login WHERE active = true"

// LatestLogin returns the most recent active login of a driver.
func (s *Store) LatestLogin(ctx context.Context, driverID int64) (CarLogin, error) {
	l := CarLogin{DriverID: driverID, Active: true}
	row := s.db.QueryRowContext(ctx, latestLoginQuery, driverID)
	if err := row.Scan(&l.ID, &l.DriverID, &l.LastSeen); err != nil {
		return CarLogin{}, fmt.Errorf("latest login of driver %d: %w", driverID, err)
	}
	return l, nil
}

// ActiveLogins returns every active login (used by the in-process login cache).
func (s *Store) ActiveLogins(ctx context.Context) ([]CarLogin, error) {
	rows, err := s.db.QueryContext(ctx, activeLoginsQuery)
	if err != nil {
		return nil, fmt.Errorf("active logins: %w", err)
	}
	defer rows.Close()
	var out []CarLogin
	for rows.Next() {
		var l CarLogin
		if err := rows.Scan(&l.ID, &l.DriverID, &l.CarID, &l.LastSeen, &l.Active); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
`;

const RIDE_MIGRATION = `-- 0014: rebuild car_login with an "active" flag (ride 1.8.0).
-- The table is copied into a new layout; indexes are recreated below.
BEGIN;

CREATE TABLE car_login_new (
    id         BIGSERIAL PRIMARY KEY,
    driver_id  BIGINT      NOT NULL REFERENCES drivers (id),
    car_id     BIGINT      NOT NULL REFERENCES cars (id),
    last_seen  TIMESTAMPTZ NOT NULL,
    active     BOOLEAN     NOT NULL DEFAULT true
);

INSERT INTO car_login_new (id, driver_id, car_id, last_seen, active)
SELECT id, driver_id, car_id, last_seen, logged_out_at IS NULL FROM car_login;

DROP TABLE car_login;
ALTER TABLE car_login_new RENAME TO car_login;

CREATE INDEX car_login_active_idx ON car_login (active);
-- car_login_driver_id_idx was not recreated.

COMMIT;
`;

const CHECKOUT_GO_MOD = `module github.com/acme/checkout

go 1.22

require (
	github.com/google/uuid v1.6.0
	github.com/lib/pq v1.10.9
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.52.0
	go.opentelemetry.io/otel v1.27.0
)
`;

const CHECKOUT_MAIN = `package main

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
`;

const CHECKOUT_HANDLER = `// Package api serves the checkout HTTP endpoints.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/acme/checkout/internal/orders"
)

// CheckoutHandler answers POST /api/checkout: turns the user's cart into an order.
type CheckoutHandler struct {
	Orders *orders.Service
	Log    *slog.Logger
}

type checkoutRequest struct {
	UserID  int64  \`json:"user_id"\`
	OrderID string \`json:"order_id,omitempty"\` // set by the client when it retries
}

func (h *CheckoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req checkoutRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	order, err := h.Orders.CreateOrder(ctx, orders.CreateOrderRequest{
		UserID:  req.UserID,
		OrderID: req.OrderID,
		Retry:   r.Header.Get("X-Client-Retry") == "true",
	})
	if err != nil {
		h.Log.ErrorContext(ctx, err.Error())
		http.Error(w, "could not create order", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(order)
}
`;

const CHECKOUT_SERVICE = `// Package orders turns carts into orders.
package orders

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
)

var tracer = otel.Tracer("github.com/acme/checkout/internal/orders")

// Order is a placed order.
type Order struct {
	ID     string  \`json:"id"\`
	UserID int64   \`json:"user_id"\`
	Total  float64 \`json:"total"\`
}

// CreateOrderRequest is what the handler passes in.
type CreateOrderRequest struct {
	UserID  int64
	OrderID string // the id the client got on its first attempt, when it retries
	Retry   bool
}

// Service creates orders.
type Service struct {
	repo *Repository
	log  *slog.Logger
}

// NewService returns a Service storing orders through repo.
func NewService(repo *Repository, log *slog.Logger) *Service {
	return &Service{repo: repo, log: log}
}

// CreateOrder checks out the user's cart.
func (s *Service) CreateOrder(ctx context.Context, req CreateOrderRequest) (Order, error) {
	ctx, span := tracer.Start(ctx, "orders.CreateOrder")
	defer span.End()

	cart, err := s.repo.Cart(ctx, req.UserID)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return Order{}, fmt.Errorf("load cart of user %d: %w", req.UserID, err)
	}

	orderID := uuid.NewString()
	if req.Retry && req.OrderID != "" {
		// The client retries with the id it received the first time, so that a retry after a
		// timeout does not place two orders. The first attempt may already have inserted it.
		orderID = req.OrderID
		s.log.InfoContext(ctx, "client retry detected, reusing order id", "order_id", orderID, "user_id", req.UserID)
	}

	order := Order{ID: orderID, UserID: req.UserID, Total: cart.Total}
	if err := s.repo.Insert(ctx, order); err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return Order{}, fmt.Errorf("failed to create order %s for user %d: %w", orderID, req.UserID, err)
	}
	if err := s.repo.MarkCheckedOut(ctx, cart.ID); err != nil {
		s.log.WarnContext(ctx, "cart not marked as checked out", "cart_id", cart.ID, "err", err)
	}
	s.log.InfoContext(ctx, "order created", "order_id", orderID, "user_id", req.UserID, "total", cart.Total)
	return order, nil
}
`;

const CHECKOUT_REPO = `package orders

import (
	"context"
	"database/sql"
)

// Repository stores orders in PostgreSQL.
type Repository struct {
	db *sql.DB
}

// NewRepository returns a Repository over db.
func NewRepository(db *sql.DB) *Repository { return &Repository{db: db} }

// Cart is the user's open cart.
type Cart struct {
	ID    int64
	Total float64
}

const cartQuery = "SELECT id, user_id, total FROM carts WHERE user_id = $1 AND checked_out_at IS NULL"

// Cart loads the open cart of a user.
func (r *Repository) Cart(ctx context.Context, userID int64) (Cart, error) {
	var c Cart
	var owner int64
	err := r.db.QueryRowContext(ctx, cartQuery, userID).Scan(&c.ID, &owner, &c.Total)
	return c, err
}

const insertOrder = "INSERT INTO orders (id, user_id, total) VALUES ($1, $2, $3)"

// Insert stores a new order. orders.id is the primary key: inserting an id that already exists
// fails with a unique violation (there is no ON CONFLICT clause).
func (r *Repository) Insert(ctx context.Context, o Order) error {
	_, err := r.db.ExecContext(ctx, insertOrder, o.ID, o.UserID, o.Total)
	return err
}

const markCheckedOut = "UPDATE carts SET checked_out_at = now() WHERE id = $1"

// MarkCheckedOut closes the cart once its order exists.
func (r *Repository) MarkCheckedOut(ctx context.Context, cartID int64) error {
	_, err := r.db.ExecContext(ctx, markCheckedOut, cartID)
	return err
}
`;

const CATALOG_HANDLER = `// Package api serves the catalog HTTP endpoints.
package api

import (
	"encoding/json"
	"net/http"

	"github.com/acme/catalog/internal/cache"
	"github.com/acme/catalog/internal/products"
)

// CatalogHandler answers GET /api/catalog: the products of a category, most popular first.
type CatalogHandler struct {
	Cache    *cache.LRU
	Products *products.Store
}

func (h *CatalogHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	category := r.URL.Query().Get("category")
	if body, ok := h.Cache.Get(category); ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return
	}
	list, err := h.Products.ByCategory(ctx, category, 50)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body, _ := json.Marshal(list)
	h.Cache.Put(category, body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
`;

const CATALOG_LRU = `// Package cache is a small LRU of rendered category pages.
package cache

import (
	"container/list"
	"sync"
)

type entry struct {
	key  string
	body []byte
}

// LRU keeps the most recently used category pages.
type LRU struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[string]*list.Element
}

// New returns an LRU holding up to max pages.
func New(max int) *LRU {
	return &LRU{max: max, ll: list.New(), items: make(map[string]*list.Element)}
}

// Get returns the cached page of key.
func (c *LRU) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*entry).body, true
}

// Put stores a page, evicting the least recently used one when full.
func (c *LRU) Put(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*entry).body = body
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&entry{key: key, body: body})
	if c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*entry).key)
	}
}
`;

const CATALOG_PRODUCTS = `// Package products reads the product catalogue.
package products

import (
	"context"
	"database/sql"
)

// Product is one catalogue entry.
type Product struct {
	ID         int64  \`json:"id"\`
	Name       string \`json:"name"\`
	PriceCents int64  \`json:"price_cents"\`
	Stock      int    \`json:"stock"\`
}

// Store reads products from PostgreSQL.
type Store struct{ db *sql.DB }

// NewStore returns a Store over db.
func NewStore(db *sql.DB) *Store { return &Store{db: db} }

const byCategory = "SELECT id, name, price_cents, stock FROM products WHERE category = $1 ORDER BY popularity DESC LIMIT $2"

// ByCategory returns up to limit products of a category.
func (s *Store) ByCategory(ctx context.Context, category string, limit int) ([]Product, error) {
	rows, err := s.db.QueryContext(ctx, byCategory, category, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
`;

export const SOURCE_FILES: SourceFile[] = [
  { service: 'ride', path: 'go.mod', text: RIDE_GO_MOD },
  { service: 'ride', path: 'cmd/ride/main.go', text: RIDE_MAIN },
  { service: 'ride', path: 'internal/api/driver_handler.go', text: RIDE_HANDLER },
  { service: 'ride', path: 'internal/api/location_stream.go', text: RIDE_LOCATION },
  { service: 'ride', path: 'internal/positions/buffer.go', text: RIDE_POSITIONS },
  { service: 'ride', path: 'internal/driver/login_cache.go', text: RIDE_CACHE },
  { service: 'ride', path: 'internal/store/store.go', text: RIDE_STORE },
  { service: 'ride', path: 'internal/store/carlogin.go', text: RIDE_CARLOGIN },
  { service: 'ride', path: 'migrations/0014_car_login_active.sql', text: RIDE_MIGRATION },
  { service: 'checkout', path: 'go.mod', text: CHECKOUT_GO_MOD },
  { service: 'checkout', path: 'cmd/checkout/main.go', text: CHECKOUT_MAIN },
  { service: 'checkout', path: 'internal/api/checkout_handler.go', text: CHECKOUT_HANDLER },
  { service: 'checkout', path: 'internal/orders/service.go', text: CHECKOUT_SERVICE },
  { service: 'checkout', path: 'internal/orders/repository.go', text: CHECKOUT_REPO },
  { service: 'catalog', path: 'internal/api/catalog_handler.go', text: CATALOG_HANDLER },
  { service: 'catalog', path: 'internal/products/store.go', text: CATALOG_PRODUCTS },
  { service: 'catalog', path: 'internal/cache/lru.go', text: CATALOG_LRU },
];

function file(service: string, path: string): SourceFile {
  const f = SOURCE_FILES.find((s) => s.service === service && s.path === path);
  if (!f) throw new Error(`demo source: no file ${service}/${path}`);
  return f;
}

/** 1-based line of the first line containing marker (after the line containing `after`, if given). */
export function lineOf(service: string, path: string, marker: string, after?: string): number {
  const key = `${service}\u0000${path}\u0000${marker}\u0000${after ?? ''}`;
  let line = lineCache.get(key);
  if (line === undefined) lineCache.set(key, (line = findLine(service, path, marker, after)));
  return line;
}
const lineCache = new Map<string, number>();

function findLine(service: string, path: string, marker: string, after?: string): number {
  const lines = file(service, path).text.split('\n');
  let from = 0;
  if (after !== undefined) {
    from = lines.findIndex((l) => l.includes(after));
    if (from < 0) throw new Error(`demo source: ${service}/${path} has no line with ${JSON.stringify(after)}`);
  }
  for (let i = from; i < lines.length; i++) if (lines[i]!.includes(marker)) return i + 1;
  throw new Error(`demo source: ${service}/${path} has no line with ${JSON.stringify(marker)}`);
}

/** Go module path of a service (used for fully qualified function names). */
export function goModule(service: string): string {
  return `github.com/acme/${service}`;
}

/** File name as a -trimpath Go build records it (pprof file names, stack traces): module path + file. */
export function buildPath(service: string, path: string): string {
  return `${goModule(service)}/${path}`;
}
