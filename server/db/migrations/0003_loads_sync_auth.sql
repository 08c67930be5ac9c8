-- Card loads and unloads, the exactly-once sync records, people and devices, keys and the audit log.

-- What the server last saw of each card: its online counter (authenticated by a verified MAC1 or
-- TAC) and its grey status; a purse ceiling overrides the configured default when set.
ALTER TABLE card ADD COLUMN online_ttc_seen integer CHECK (online_ttc_seen BETWEEN 0 AND 65535);
ALTER TABLE card ADD COLUMN grey boolean NOT NULL DEFAULT false;
ALTER TABLE card ADD COLUMN purse_max_fen bigint CHECK (purse_max_fen > 0);

-- One row per online card transaction (load 圈存 or unload 圈提), keyed by (card, online counter).
-- The pending transfer it reserved is posted on a verified TAC (or the card's advanced counter)
-- and voided only when the card shows, by a MAC1-verified counter, that it never happened.
CREATE TABLE card_load (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('load', 'unload')),
  card_no text NOT NULL REFERENCES card (card_no),
  online_ttc integer NOT NULL CHECK (online_ttc BETWEEN 0 AND 65534),
  amount_fen bigint NOT NULL CHECK (amount_fen > 0),
  trans_type smallint NOT NULL,
  balance_fen_before bigint NOT NULL CHECK (balance_fen_before >= 0),
  terminal_id text NOT NULL CHECK (terminal_id ~ '^[0-9A-F]{12}$'),
  key_version smallint NOT NULL,
  card_random text NOT NULL CHECK (card_random ~ '^[0-9A-F]{8}$'),
  tx_date text NOT NULL CHECK (tx_date ~ '^[0-9]{8}$'),
  tx_time text NOT NULL CHECK (tx_time ~ '^[0-9]{6}$'),
  mac2 text NOT NULL CHECK (mac2 ~ '^[0-9A-F]{8}$'),
  transfer_id uuid NOT NULL UNIQUE REFERENCES transfer (id),
  account_id bigint NOT NULL REFERENCES account (id),
  device_id text REFERENCES device (id),
  state text NOT NULL CHECK (state IN ('pending', 'posted', 'voided')),
  -- How it was settled: a verified TAC, the card's counter that moved on, or the counter that did not.
  settled_by text CHECK (settled_by IN ('tac', 'prove', 'counter_advanced', 'counter_unchanged')),
  tac text CHECK (tac ~ '^[0-9A-F]{8}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  settled_at timestamptz,
  CHECK ((state = 'pending') = (settled_by IS NULL))
);
CREATE UNIQUE INDEX card_load_counter_idx ON card_load (card_no, online_ttc) WHERE state <> 'voided';
CREATE UNIQUE INDEX card_load_one_pending_idx ON card_load (card_no) WHERE state = 'pending';

-- Exactly once (decision 4): every operation a device sends, with its first result.
CREATE TABLE operation (
  id uuid PRIMARY KEY,
  device_id text REFERENCES device (id),
  seq bigint CHECK (seq > 0),
  type text NOT NULL CHECK (type ~ '^[a-z][a-z._]{1,39}$'),
  request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  status text NOT NULL CHECK (status IN ('applied', 'rejected')),
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((seq IS NULL) OR (device_id IS NOT NULL))
);
CREATE UNIQUE INDEX operation_device_seq_idx ON operation (device_id, seq) WHERE seq IS NOT NULL;

-- The last operation number applied per device, updated in the same transaction as the effect.
CREATE TABLE device_sync (
  device_id text PRIMARY KEY REFERENCES device (id),
  last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Devices authenticate with a per-device secret obtained once with an enrolment code.
ALTER TABLE device ADD COLUMN secret_hash text CHECK (secret_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE device ADD COLUMN enrolment_code_hash text CHECK (enrolment_code_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE device ADD COLUMN enrolment_expires_at timestamptz;

CREATE TABLE operator (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,32}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  org_unit_id bigint NOT NULL REFERENCES org_unit (id),
  role text NOT NULL CHECK (role IN ('outlet_operator', 'outlet_supervisor', 'center_operator', 'administrator')),
  -- scrypt$N$r$p$salt$hash (hex)
  password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  failed_login_count integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
  locked_until timestamptz,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE operator_session (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  operator_id bigint NOT NULL REFERENCES operator (id),
  device_id text REFERENCES device (id),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_session_operator_idx ON operator_session (operator_id);

-- Issuer master keys, encrypted at rest (AES-256-GCM under the key-encryption key from
-- configuration). Card keys are never stored: they are derived from these by card number.
CREATE TABLE issuer_key (
  kind text NOT NULL CHECK (kind IN ('MLK', 'MULK', 'MTK', 'MPK', 'MUGK', 'MPUK', 'MRPK')),
  key_version smallint NOT NULL CHECK (key_version BETWEEN 0 AND 255),
  iv text NOT NULL CHECK (iv ~ '^[0-9a-f]{24}$'),
  ciphertext text NOT NULL CHECK (ciphertext ~ '^[0-9a-f]{32}$'),
  tag text NOT NULL CHECK (tag ~ '^[0-9a-f]{32}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, key_version)
);

-- Who did what, where: one hash chain per actor (a device, or an operator without one), so that
-- concurrent kiosks do not queue on a single head row. hash = sha256(prev_hash || canonical row).
CREATE TABLE audit_chain (
  chain_key text PRIMARY KEY CHECK (length(chain_key) BETWEEN 3 AND 80),
  last_no bigint NOT NULL CHECK (last_no >= 0),
  last_hash text NOT NULL CHECK (last_hash ~ '^[0-9a-f]{64}$')
);

CREATE TABLE audit_log (
  chain_key text NOT NULL REFERENCES audit_chain (chain_key),
  chain_no bigint NOT NULL CHECK (chain_no > 0),
  at timestamptz NOT NULL,
  operator_id bigint REFERENCES operator (id),
  device_id text REFERENCES device (id),
  org_unit_id bigint REFERENCES org_unit (id),
  action text NOT NULL CHECK (action ~ '^[a-z][a-z._]{1,39}$'),
  subject text NOT NULL CHECK (length(subject) <= 80),
  detail jsonb NOT NULL,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (chain_key, chain_no)
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_append_only();
