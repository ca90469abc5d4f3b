// Package api serves the ride HTTP endpoints.
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
	RideID   int64  `json:"ride_id"`
	DriverID int64  `json:"driver_id"`
	Name     string `json:"name"`
	CarID    int64  `json:"car_id"`
	LastSeen string `json:"last_seen"`
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
