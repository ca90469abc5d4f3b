// Package store is ride's PostgreSQL access layer.
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
