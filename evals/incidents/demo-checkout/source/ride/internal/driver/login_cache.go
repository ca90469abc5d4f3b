// Package driver keeps an in-process view of which driver is logged into which car.
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
