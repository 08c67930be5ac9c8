-- Opening an account and issuing a card (开户发卡, docs/domain.md "Issuing a card", server/cards/issue.ts).
--
-- The key store may now hold MAMTK, the master key of the card's application maintenance key
-- DAMTK (docs/card-protocol.md §2.3): the server computes the MAC of the secure UPDATE BINARY that
-- writes the holder file EF16 and the PIN mode of EF1B, so a tablet never holds a card key.
ALTER TABLE issuer_key DROP CONSTRAINT issuer_key_kind_check;
ALTER TABLE issuer_key ADD CONSTRAINT issuer_key_kind_check
  CHECK (kind IN ('MLK', 'MULK', 'MTK', 'MPK', 'MUGK', 'MPUK', 'MRPK', 'MAMTK'));

-- One issuance of one stock card to one customer: started (the card fee charged, the holder
-- fields fixed) → done (the card active) or cancelled (the fee given back by a reversing transfer).
-- At most one started issuance per card: a second start for the card answers the first.
CREATE TABLE card_issue (
  id uuid PRIMARY KEY,
  card_no text NOT NULL REFERENCES card (card_no),
  customer_id bigint NOT NULL REFERENCES customer (id),
  role text NOT NULL CHECK (role IN ('single', 'main', 'sub')),
  main_card_no text REFERENCES card (card_no),
  -- What EF16 receives (docs/card-protocol.md §3.2): 1 single-user, 2 multi-user card.
  holder_flag smallint NOT NULL CHECK (holder_flag IN (1, 2)),
  holder_name text NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 20),
  -- 1 ID card, 2 driving licence, 3 officer card, 4 other.
  id_type smallint NOT NULL CHECK (id_type BETWEEN 1 AND 4),
  id_number text NOT NULL CHECK (id_number ~ '^[!-~]{0,18}$'),
  fee_fen bigint NOT NULL CHECK (fee_fen >= 0 AND fee_fen <= 100000),
  -- The CARD_FEE transfer (none when the fee is 0) and, once cancelled, its reversal.
  fee_transfer_id uuid REFERENCES transfer (id),
  refund_transfer_id uuid REFERENCES transfer (id),
  -- Drawn with each write's MAC: the completing INITIALIZE FOR LOAD probe carries the last one.
  -- probe_write names the write it was drawn with (file:challenge): the same write sent again
  -- gets the same answer and changes nothing.
  probe_challenge text CHECK (probe_challenge ~ '^[0-9A-F]{12}$'),
  probe_write text CHECK (probe_write ~ '^EF(16|1B):[0-9A-F]{8}$'),
  state text NOT NULL CHECK (state IN ('started', 'done', 'cancelled')),
  operator_id bigint REFERENCES operator (id),
  device_id text REFERENCES device (id),
  org_unit_id bigint NOT NULL REFERENCES org_unit (id),
  start_operation_id uuid NOT NULL,
  complete_operation_id uuid,
  cancel_operation_id uuid,
  cancel_reason text CHECK (length(cancel_reason) BETWEEN 1 AND 200),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK ((role = 'sub') = (main_card_no IS NOT NULL)),
  CHECK ((fee_fen = 0) = (fee_transfer_id IS NULL)),
  CHECK ((state = 'started') = (finished_at IS NULL)),
  CHECK ((state = 'done') = (complete_operation_id IS NOT NULL)),
  CHECK ((state = 'cancelled') = (cancel_operation_id IS NOT NULL AND cancel_reason IS NOT NULL))
);
CREATE UNIQUE INDEX card_issue_one_started_idx ON card_issue (card_no) WHERE state = 'started';
CREATE INDEX card_issue_customer_idx ON card_issue (customer_id);
