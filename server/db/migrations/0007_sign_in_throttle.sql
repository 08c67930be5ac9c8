-- Sign-in throttling and idle sessions (server/auth/throttle.ts has the policy, and why).
--
-- sign_in_pair: password checks for one user name from one client address. A check reserves its
-- slot here (one INSERT ... ON CONFLICT DO UPDATE ... WHERE checks < limit) before the password
-- is hashed, so parallel requests cannot check more passwords than the limit allows. Rows exist
-- for names that are not operators too: an unknown name is throttled exactly like a real one.
-- known_until marks an address the name signed in from: the per-name budget does not apply to it.
--
-- sign_in_name: password checks for one user name from addresses it never signed in from, over
-- a fixed window; it caps guessing from many addresses without locking the person out of their own.
--
-- Names are kept as SHA-256 (hex): a password typed into the name field is not kept in clear.
CREATE TABLE sign_in_pair (
  name_hash text NOT NULL CHECK (name_hash ~ '^[0-9a-f]{64}$'),
  client_address text NOT NULL CHECK (length(client_address) BETWEEN 1 AND 64),
  checks integer NOT NULL CHECK (checks >= 0),
  resets_at timestamptz NOT NULL,
  known_until timestamptz,
  PRIMARY KEY (name_hash, client_address)
);
CREATE INDEX sign_in_pair_resets_idx ON sign_in_pair (resets_at);

CREATE TABLE sign_in_name (
  name_hash text PRIMARY KEY CHECK (name_hash ~ '^[0-9a-f]{64}$'),
  checks integer NOT NULL CHECK (checks >= 0),
  resets_at timestamptz NOT NULL
);
CREATE INDEX sign_in_name_resets_idx ON sign_in_name (resets_at);

-- The lockout moved to sign_in_pair: a count on the operator let anyone lock anyone out.
ALTER TABLE operator DROP COLUMN failed_login_count;
ALTER TABLE operator DROP COLUMN locked_until;

-- Sessions end after an idle time as well as at expires_at; expired rows are deleted.
ALTER TABLE operator_session ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX operator_session_expires_idx ON operator_session (expires_at);
CREATE INDEX operator_session_last_seen_idx ON operator_session (last_seen_at);
