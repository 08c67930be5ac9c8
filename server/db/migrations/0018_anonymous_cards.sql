-- Anonymous cards (不记名卡, docs/domain.md "Anonymous cards", server/cards/anonymous.ts).
--
-- A stock card is initialised at the outlet (its holder file written as anonymous, by the server's
-- MAC), sold there (the card fee and a first amount in cash; the card active with a customer row of
-- its own, marked anonymous, which is where its QUOTA lives), topped up at any outlet and upgraded
-- to a named personal card: the same customer row gets the buyer's details, so the quota, the purse
-- and their history stay where they are.

-- The customer behind an anonymous card: no person known, left out of customer search until the
-- card is upgraded (then the flag goes false with the buyer's details).
ALTER TABLE customer ADD COLUMN anonymous boolean NOT NULL DEFAULT false;
ALTER TABLE customer ADD CONSTRAINT customer_anonymous_is_personal CHECK (NOT anonymous OR (kind = 'personal' AND id_doc_type IS NULL));

-- One row per anonymous card, from its initialisation on:
--   initialising → initialised (the chip's EF16 reads anonymous; the card still 'stock' at the outlet)
--   → sold (the card active, its customer made) → upgraded (a named card; the row kept as history).
-- An upgrade in progress keeps what it writes in upgrade_*; the probe columns serve the writes of
-- the initialisation and of the upgrade as card_issue's do (0015_card_issue.sql).
CREATE TABLE anonymous_card (
  card_no text PRIMARY KEY REFERENCES card (card_no),
  state text NOT NULL CHECK (state IN ('initialising', 'initialised', 'sold', 'upgraded')),
  -- The outlet that initialised the card (and holds it in stock until sold).
  org_unit_id bigint NOT NULL REFERENCES org_unit (id),
  customer_id bigint REFERENCES customer (id),
  probe_challenge text CHECK (probe_challenge ~ '^[0-9A-F]{12}$'),
  probe_write text CHECK (probe_write ~ '^EF(16|1B):[0-9A-F]{8}$'),
  -- The upgrade under way: the buyer's details as the customer row will take them, and the EF16 they make.
  upgrade_details jsonb,
  upgrade_ef16 text CHECK (upgrade_ef16 ~ '^[0-9A-F]{82}$'),
  upgrade_unit_id bigint REFERENCES org_unit (id),
  fee_fen bigint CHECK (fee_fen >= 0 AND fee_fen <= 100000),
  fee_transfer_id uuid REFERENCES transfer (id),
  first_amount_fen bigint CHECK (first_amount_fen >= 0),
  first_transfer_id uuid REFERENCES transfer (id),
  init_operation_id uuid NOT NULL,
  initialised_operation_id uuid,
  sell_operation_id uuid,
  upgrade_operation_id uuid,
  initialised_at timestamptz,
  sold_at timestamptz,
  sold_unit_id bigint REFERENCES org_unit (id),
  upgraded_at timestamptz,
  CHECK ((state IN ('initialising', 'initialised')) = (customer_id IS NULL)),
  CHECK ((state = 'initialising') = (initialised_at IS NULL)),
  CHECK ((state IN ('sold', 'upgraded')) = (sold_at IS NOT NULL)),
  CHECK ((state = 'upgraded') = (upgraded_at IS NOT NULL)),
  CHECK ((upgrade_details IS NULL) = (upgrade_ef16 IS NULL)),
  CHECK ((upgrade_details IS NULL) = (upgrade_unit_id IS NULL))
);
CREATE INDEX anonymous_card_unit_idx ON anonymous_card (org_unit_id, state);
CREATE INDEX anonymous_card_customer_idx ON anonymous_card (customer_id);
