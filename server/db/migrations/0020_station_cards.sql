-- Station cards 站内卡 (docs/domain.md § Station cards, server/cards/station-issue.ts): employee
-- (员工卡), maintenance (维修卡) and pump-verification (验泵卡, card type 'test') cards a management
-- centre issues from its own stock to one filling station of its subtree. No customer, no fee and no
-- accounts: the card's purse is never loaded (CARD_HAS_NO_PURSE).

-- An issued station card belongs to no customer: the card row's rule "not in stock means a
-- customer" holds for user cards only now.
DO $$
DECLARE c text;
BEGIN
  SELECT conname INTO c FROM pg_constraint
   WHERE conrelid = 'card'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%customer_id IS NOT NULL%';
  EXECUTE format('ALTER TABLE card DROP CONSTRAINT %I', c);
END $$;
ALTER TABLE card ADD CONSTRAINT card_customer_when_issued
  CHECK (state = 'stock' OR customer_id IS NOT NULL OR card_type <> 'user');
ALTER TABLE card ADD CONSTRAINT card_station_cards_have_no_customer
  CHECK (card_type IN ('user', 'manage') OR customer_id IS NULL);

-- One issuance of one station card to one station: started (holder fixed) → issued (the card
-- active) → withdrawn (an employee left: the card closed, dropped from the white list); or
-- started → cancelled (a new start for the card by another choice supersedes it; nothing was paid).
-- Each employee card belongs to exactly one station: at most one live (started or issued) row per card.
CREATE TABLE station_card (
  id uuid PRIMARY KEY,
  card_no text NOT NULL REFERENCES card (card_no),
  station_id bigint NOT NULL REFERENCES org_unit (id),
  card_type text NOT NULL CHECK (card_type IN ('employee', 'maintenance', 'test')),
  -- EF16 (docs/card-protocol.md §3.2): the holder's name; the number as the ID number, ID type 4.
  holder_name text NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 20),
  holder_number text NOT NULL CHECK (holder_number ~ '^[!-~]{0,18}$'),
  probe_challenge text CHECK (probe_challenge ~ '^[0-9A-F]{12}$'),
  probe_write text CHECK (probe_write ~ '^EF(16|1B):[0-9A-F]{8}$'),
  state text NOT NULL CHECK (state IN ('started', 'issued', 'cancelled', 'withdrawn')),
  -- The centre's unit the card was issued from (its stock), and who issued it where.
  issued_by_unit_id bigint NOT NULL REFERENCES org_unit (id),
  operator_id bigint REFERENCES operator (id),
  device_id text REFERENCES device (id),
  start_operation_id uuid NOT NULL,
  complete_operation_id uuid,
  withdraw_operation_id uuid,
  withdraw_reason text CHECK (length(withdraw_reason) BETWEEN 1 AND 200),
  withdrawn_by bigint REFERENCES operator (id),
  started_at timestamptz NOT NULL DEFAULT now(),
  issued_at timestamptz,
  withdrawn_at timestamptz,
  CHECK ((state IN ('issued', 'withdrawn')) = (complete_operation_id IS NOT NULL AND issued_at IS NOT NULL)),
  CHECK ((state = 'withdrawn') = (withdraw_operation_id IS NOT NULL AND withdraw_reason IS NOT NULL AND withdrawn_at IS NOT NULL))
);
CREATE UNIQUE INDEX station_card_one_live_idx ON station_card (card_no) WHERE state IN ('started', 'issued');
-- A station's list and, later, its white list: the issued cards of one station.
CREATE INDEX station_card_station_idx ON station_card (station_id, state, issued_at DESC);
