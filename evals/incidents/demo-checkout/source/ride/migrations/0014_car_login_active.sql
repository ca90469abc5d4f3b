-- 0014: rebuild car_login with an "active" flag (ride 1.8.0).
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
