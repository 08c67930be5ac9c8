-- Who made a queued operation (docs/sync.md "The maker of an operation"): an operator's session
-- bound to a tablet gets a public id and an operation key at sign-in; the tablet signs each
-- operation it queues under that session with the key (a maker proof), and the push applies the
-- operation as that operator, whoever's session sends it. The record outlives the session's row
-- in operator_session (deleted at sign-out and by the sweep), because queued operations arrive
-- later: it ends at the sign-out the server heard of (ended_at), or at the absolute expiry.
CREATE TABLE operator_session_maker (
  session_id uuid PRIMARY KEY,
  operator_id bigint NOT NULL REFERENCES operator (id),
  device_id text NOT NULL REFERENCES device (id),
  operation_key text NOT NULL CHECK (operation_key ~ '^[0-9a-f]{64}$'),
  started_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  CHECK (expires_at > started_at),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX operator_session_maker_operator_idx ON operator_session_maker (operator_id, started_at);

-- The live session row names its maker record, so a sign-out ends both.
ALTER TABLE operator_session ADD COLUMN session_id uuid REFERENCES operator_session_maker (session_id);

-- The operator an operation was booked to (its maker, or the sender's session when it names no
-- maker) and when it was made, for the shift's list of operations.
ALTER TABLE operation ADD COLUMN operator_id bigint REFERENCES operator (id);
ALTER TABLE operation ADD COLUMN made_at timestamptz;
CREATE INDEX operation_operator_idx ON operation (operator_id, made_at) WHERE operator_id IS NOT NULL;

-- Cash that reached the server after its shift was closed (docs/ledger.md "Late cash"): the
-- counted cash held it already, so the close booked it as an overage; the late posting goes
-- against the outlet's CASH_DIFFERENCE instead of the closed drawer, and is listed here so the
-- shift's report shows it. One row per late posting.
CREATE TABLE shift_late_item (
  transfer_id uuid PRIMARY KEY REFERENCES transfer (id),
  shift_id bigint NOT NULL REFERENCES shift (id),
  kind text NOT NULL CHECK (kind IN ('receipt.cash', 'card.fee.refund')),
  -- Cash in (a receipt) above zero, cash out (a refund) below.
  amount_fen bigint NOT NULL CHECK (amount_fen <> 0),
  device_id text,
  operation_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shift_late_item_shift_idx ON shift_late_item (shift_id);
