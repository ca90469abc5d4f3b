package store

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
