-- Shifts and cash drawers, cheque receipts, reversals (docs/ledger.md "Shifts and drawers",
-- docs/sync.md). Written by the push operations shift.open, shift.close, receipt.cheque and
-- reversal (server/shifts/, server/sync/operations.ts).

-- A drawer is the CASH account of one shift ('shift:<id>'); over and short at the close go to the
-- outlet's CASH_DIFFERENCE account, which may go below zero like BANK.
ALTER TABLE account DROP CONSTRAINT account_code_check;
ALTER TABLE account ADD CONSTRAINT account_code_check
  CHECK (code IN ('QUOTA', 'RESERVE', 'PURSE', 'CASH', 'CHEQUE', 'BANK', 'FEE_INCOME', 'SALES', 'REFUND_PAYABLE', 'CASH_DIFFERENCE'));
ALTER TABLE account DROP CONSTRAINT account_owner_key_check;
ALTER TABLE account ADD CONSTRAINT account_owner_key_check CHECK (owner_key ~ '^(customer|card|operator|org|shift):[0-9]{1,20}$');

-- A shift (班次) of one operator, opened on a tablet with the float counted and closed with the
-- cash counted. The expected figure is the drawer's balance at the close; the difference
-- (counted − expected) is recorded here and posted, never hidden.
CREATE TABLE shift (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  operator_id bigint NOT NULL REFERENCES operator (id),
  org_unit_id bigint NOT NULL REFERENCES org_unit (id),
  device_id text REFERENCES device (id),
  opened_at timestamptz NOT NULL DEFAULT now(),
  opening_float_fen bigint NOT NULL CHECK (opening_float_fen >= 0),
  open_operation_id uuid NOT NULL,
  closed_at timestamptz,
  counted_fen bigint CHECK (counted_fen >= 0),
  expected_fen bigint,
  difference_fen bigint,
  close_note text CHECK (length(close_note) BETWEEN 1 AND 200),
  close_operation_id uuid,
  CHECK ((closed_at IS NULL) = (counted_fen IS NULL)),
  CHECK ((closed_at IS NULL) = (expected_fen IS NULL)),
  CHECK ((closed_at IS NULL) = (difference_fen IS NULL)),
  CHECK ((closed_at IS NULL) = (close_operation_id IS NULL)),
  CHECK (closed_at IS NULL OR difference_fen = counted_fen - expected_fen)
);
-- One open shift per operator at a time.
CREATE UNIQUE INDEX shift_one_open_per_operator ON shift (operator_id) WHERE closed_at IS NULL;

-- A cheque taken at the counter: the same cheque (bank and number) is taken once only.
CREATE TABLE cheque_receipt (
  bank text NOT NULL CHECK (length(bank) BETWEEN 1 AND 60),
  cheque_no text NOT NULL CHECK (cheque_no ~ '^[0-9A-Za-z-]{1,30}$'),
  cheque_date date NOT NULL,
  customer_id bigint NOT NULL REFERENCES customer (id),
  amount_fen bigint NOT NULL CHECK (amount_fen > 0),
  transfer_id uuid NOT NULL REFERENCES transfer (id),
  operator_id bigint NOT NULL REFERENCES operator (id),
  device_id text REFERENCES device (id),
  operation_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bank, cheque_no)
);

-- A supervisor's reversal (冲正) of a receipt or a pre-allocation: mirror transfers coded
-- REVERSAL, never an edit. An original operation (its device's id) is reversed once only.
CREATE TABLE reversal (
  original_device_id text NOT NULL,
  original_operation_id uuid NOT NULL,
  original_type text NOT NULL CHECK (original_type IN ('receipt.cash', 'receipt.cheque', 'preallocation')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
  transfer_ids uuid[] NOT NULL,
  operator_id bigint NOT NULL REFERENCES operator (id),
  device_id text REFERENCES device (id),
  operation_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (original_device_id, original_operation_id)
);

-- A supervisor's approval may now be for a cheque receipt as well as a cash one.
ALTER TABLE approval DROP CONSTRAINT approval_purpose_check;
ALTER TABLE approval ADD CONSTRAINT approval_purpose_check CHECK (purpose IN ('receipt.cash', 'receipt.cheque'));
