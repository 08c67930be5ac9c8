-- Card stock and requisition (卡片入库与领用, docs/domain.md § Card stock): cards arrive from the
-- personalisation bureau with their keys and numbers, not yet issued (state 'stock'). A centre
-- stocks a batch in at the province by number range; requisitions move ranges down the tree one
-- level at a time. Where a stock card is lies on the card itself (card.stock_unit_id), so a card is
-- in exactly one place by construction and moving a range is one UPDATE of its rows.

-- Every batch stocked in: the range, what its numbers declare, and who received it where.
CREATE TABLE stock_batch (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_unit_id bigint NOT NULL REFERENCES org_unit (id),
  card_type text NOT NULL CHECK (card_type IN ('user', 'employee', 'maintenance', 'test', 'manage')),
  key_version smallint NOT NULL CHECK (key_version BETWEEN 0 AND 9),
  first_card_no text NOT NULL CHECK (first_card_no ~ '^[0-9]{20}$'),
  last_card_no text NOT NULL CHECK (last_card_no ~ '^[0-9]{20}$'),
  card_count integer NOT NULL CHECK (card_count > 0),
  expires_on date NOT NULL,
  operator_id bigint NOT NULL REFERENCES operator (id),
  device_id text REFERENCES device (id),
  operation_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (first_card_no <= last_card_no)
);

-- Where a card not yet issued is held (and, once issued, the unit it was issued from), and the
-- batch it came in. Cards made before this migration (the demo's, seeded as issued) have neither.
ALTER TABLE card ADD COLUMN stock_unit_id bigint REFERENCES org_unit (id);
ALTER TABLE card ADD COLUMN stock_batch_id bigint REFERENCES stock_batch (id);
ALTER TABLE card ADD CONSTRAINT card_stock_has_a_place CHECK (state <> 'stock' OR stock_batch_id IS NULL OR stock_unit_id IS NOT NULL);
-- The stock query and a requisition's range read the cards a unit holds, by type, in number order.
CREATE INDEX card_stock_place_idx ON card (stock_unit_id, card_type, card_no) WHERE state = 'stock';
CREATE INDEX card_stock_batch_idx ON card (stock_batch_id);

-- Every move of a range: the stock-in (from nowhere into the province) and each requisition (领用)
-- from a unit to one of its children, recorded by the giving centre's operator.
CREATE TABLE stock_movement (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('stock_in', 'requisition')),
  batch_id bigint REFERENCES stock_batch (id),
  from_unit_id bigint REFERENCES org_unit (id),
  to_unit_id bigint NOT NULL REFERENCES org_unit (id),
  card_type text NOT NULL CHECK (card_type IN ('user', 'employee', 'maintenance', 'test', 'manage')),
  first_card_no text NOT NULL CHECK (first_card_no ~ '^[0-9]{20}$'),
  last_card_no text NOT NULL CHECK (last_card_no ~ '^[0-9]{20}$'),
  card_count integer NOT NULL CHECK (card_count > 0),
  operator_id bigint NOT NULL REFERENCES operator (id),
  device_id text REFERENCES device (id),
  operation_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (first_card_no <= last_card_no),
  CHECK ((kind = 'stock_in') = (from_unit_id IS NULL)),
  CHECK ((kind = 'stock_in') = (batch_id IS NOT NULL))
);
CREATE INDEX stock_movement_to_idx ON stock_movement (to_unit_id, created_at);
CREATE INDEX stock_movement_from_idx ON stock_movement (from_unit_id, created_at);

CREATE FUNCTION stock_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER stock_batch_append_only BEFORE UPDATE OR DELETE ON stock_batch FOR EACH ROW EXECUTE FUNCTION stock_append_only();
CREATE TRIGGER stock_movement_append_only BEFORE UPDATE OR DELETE ON stock_movement FOR EACH ROW EXECUTE FUNCTION stock_append_only();
