-- A recovery probe must be fresh (cards/online.ts, "Why a void needs the challenge").
--
-- card_load.probe_challenge: six bytes the server draws when it gives out a transaction's MAC2.
-- A probe voids the transaction only when the card's MAC1 covers them (they ride in INITIALIZE
-- FOR LOAD's terminal-id field), which proves the probe was made after the MAC2 existed. Loads
-- already pending get a challenge now: drawn after their MAC2, so just as good (the first twelve
-- hex digits of a version-4 UUID are 48 random bits).
ALTER TABLE card_load ADD COLUMN probe_challenge text CHECK (probe_challenge ~ '^[0-9A-F]{12}$');
UPDATE card_load SET probe_challenge = upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)) WHERE state = 'pending';
ALTER TABLE card_load ADD CONSTRAINT card_load_pending_has_challenge CHECK (state <> 'pending' OR probe_challenge IS NOT NULL);

-- The second line of defence: every MAC1 carries the chip's balance under the card's key. A chip
-- holding more than the ledger ever gave it (purse mirror plus loads still pending) raises an
-- alarm; the card's loads and unloads stop until someone at a centre has looked (card.review_since).
ALTER TABLE card ADD COLUMN review_since timestamptz;
CREATE TABLE card_alarm (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  card_no text NOT NULL REFERENCES card (card_no),
  kind text NOT NULL CHECK (kind IN ('chip_above_ledger')),
  chip_balance_fen bigint NOT NULL CHECK (chip_balance_fen >= 0),
  ledger_max_fen bigint NOT NULL,
  online_ttc integer NOT NULL,
  device_id text,
  raised_at timestamptz NOT NULL DEFAULT now(),
  cleared_at timestamptz,
  cleared_by bigint,
  clear_note text,
  CHECK (chip_balance_fen > ledger_max_fen),
  CHECK ((cleared_at IS NULL) = (cleared_by IS NULL))
);
CREATE INDEX card_alarm_open_idx ON card_alarm (raised_at) WHERE cleared_at IS NULL;
CREATE INDEX card_alarm_card_idx ON card_alarm (card_no);
