-- A demo kiosk for each visitor (server/demo/kiosks.ts): the device made for one browser, and the
-- serial base its cards are numbered from. Retired kiosks stay (the ledger and the audit log name
-- them); retired_at marks the ones past the bound. Demo databases only; empty anywhere else.
CREATE SEQUENCE demo_kiosk_number;
CREATE TABLE demo_kiosk (
  number bigint PRIMARY KEY,
  device_id text NOT NULL UNIQUE REFERENCES device (id),
  card_serial_base bigint NOT NULL UNIQUE CHECK (card_serial_base BETWEEN 0 AND 999999990),
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
CREATE INDEX demo_kiosk_active_idx ON demo_kiosk (number) WHERE retired_at IS NULL;
