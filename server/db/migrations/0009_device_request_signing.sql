-- Devices sign every request instead of sending their secret (server/auth/device-signature.ts).
--
-- device.signing_key_sealed: the device's HMAC key, sealed under a key derived from FUELCARD_KEK
-- (server/auth/device-keys.ts says why sealed rather than hashed). secret_hash goes: a hash cannot
-- check a signature, and devices enrolled under the old scheme enrol again (an administrator
-- issues each a new code; demo devices are given their keys again at start). Accepting the old
-- header for a while would keep the very hole being closed: any captured request would still be
-- a credential.
ALTER TABLE device ADD COLUMN signing_key_sealed text
  CHECK (signing_key_sealed ~ '^v1\.[0-9a-f]{24}\.([0-9a-f]{2})+\.[0-9a-f]{32}$' AND length(signing_key_sealed) <= 600);
ALTER TABLE device DROP COLUMN secret_hash;

-- device_request_nonce: each signed request's nonce, kept until no server process could accept a
-- request with its timestamp any more; the primary key refuses a second use, across processes.
CREATE TABLE device_request_nonce (
  device_id text NOT NULL REFERENCES device (id),
  nonce text NOT NULL CHECK (nonce ~ '^[A-Za-z0-9_-]{22}$'),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, nonce)
);
CREATE INDEX device_request_nonce_expires_idx ON device_request_nonce (expires_at);
