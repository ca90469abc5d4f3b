package api

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
	DriverID int64     `json:"driver_id"`
	CarID    int64     `json:"car_id"`
	Lat      float64   `json:"lat"`
	Lon      float64   `json:"lon"`
	At       time.Time `json:"at"`
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
