// Package positions keeps the latest positions of drivers for dispatch.
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
