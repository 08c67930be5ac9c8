-- Loss reports 挂失 (server/cards/loss-report.ts, docs/domain.md § Customer service): the holder's
-- identity as checked at the counter, the customer's choice for the balance, and the time the loss
-- takes effect (2 working days after the report by the calendar of 0021, computed and stored when
-- reported: a later change of the calendar does not move it). pending → effective (the server's
-- clock reached effective_at: the card lost, its purse mirror frozen at frozen_purse_fen) or
-- pending → cancelled (解挂, before effective_at). At most one live report per card.
CREATE TABLE loss_report (
  id uuid PRIMARY KEY,
  card_no text NOT NULL REFERENCES card (card_no),
  customer_id bigint NOT NULL REFERENCES customer (id),
  -- contract/loss-reports.ts LossIdentity: the customer's ID number, or a unit's letter of introduction and its bearer.
  identity jsonb NOT NULL CHECK (identity ->> 'kind' IN ('id_document', 'intro_letter')),
  choice text NOT NULL CHECK (choice IN ('replacement', 'refund')),
  state text NOT NULL CHECK (state IN ('pending', 'effective', 'cancelled')),
  report_operation_id uuid NOT NULL,
  reported_at timestamptz NOT NULL,
  reported_by bigint NOT NULL REFERENCES operator (id),
  reported_device text REFERENCES device (id),
  effective_at timestamptz NOT NULL CHECK (effective_at > reported_at),
  -- When the server applied the effect (at or after effective_at), and the purse mirror it froze.
  took_effect_at timestamptz CHECK (took_effect_at >= effective_at),
  frozen_purse_fen bigint,
  cancel_operation_id uuid,
  cancel_identity jsonb,
  cancelled_at timestamptz CHECK (cancelled_at < effective_at),
  cancelled_by bigint REFERENCES operator (id),
  cancelled_device text REFERENCES device (id),
  CHECK ((state = 'effective') = (took_effect_at IS NOT NULL AND frozen_purse_fen IS NOT NULL)),
  CHECK ((state = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_operation_id IS NOT NULL AND cancel_identity IS NOT NULL AND cancelled_by IS NOT NULL))
);
CREATE UNIQUE INDEX loss_report_one_live_idx ON loss_report (card_no) WHERE state IN ('pending', 'effective');
CREATE INDEX loss_report_card_idx ON loss_report (card_no, reported_at DESC);
-- The sweep's work list: pending reports by when they fall due.
CREATE INDEX loss_report_due_idx ON loss_report (effective_at) WHERE state = 'pending';
-- The blacklist's feed (another issue): effective losses in the order they took effect.
CREATE INDEX loss_report_took_effect_idx ON loss_report (took_effect_at, id) WHERE state = 'effective';

-- A pending report's effective time on the card itself, read with the card (server/cards/card.ts):
-- from that instant no load or unload takes the card, even before the sweep has marked it lost.
ALTER TABLE card ADD COLUMN loss_effective_at timestamptz;
