-- The ledger (docs/ledger.md, docs/architecture.md decision 3): accounts with TigerBeetle's four balance figures
-- and transfers pending → posted | voided. Invariants live here as constraints as well as in code:
-- a customer account never goes below zero, a transfer moves a positive amount between two
-- different accounts, and a transfer only ever changes state once, from pending.

CREATE TABLE account (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL CHECK (code IN ('QUOTA', 'RESERVE', 'PURSE', 'CASH', 'CHEQUE', 'BANK', 'FEE_INCOME', 'SALES', 'REFUND_PAYABLE')),
  -- Who the account belongs to, as one key ('customer:12', 'card:0100…', 'operator:3', 'org:7'):
  -- with the code it names the account uniquely, so "find or open" is one INSERT … ON CONFLICT.
  owner_key text NOT NULL CHECK (owner_key ~ '^(customer|card|operator|org):[0-9]{1,20}$'),
  customer_id bigint REFERENCES customer (id),
  card_no text REFERENCES card (card_no),
  org_unit_id bigint REFERENCES org_unit (id),
  normal text NOT NULL CHECK (normal IN ('credit', 'debit')),
  may_go_negative boolean NOT NULL DEFAULT false,
  debits_posted bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_pending bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (code, owner_key),
  -- TigerBeetle's debits_must_not_exceed_credits / credits_must_not_exceed_debits, pessimistic:
  -- pending amounts count against the balance, so posting can never break the rule.
  CONSTRAINT account_not_below_zero CHECK (
    may_go_negative
    OR (normal = 'credit' AND debits_posted + debits_pending <= credits_posted)
    OR (normal = 'debit' AND credits_posted + credits_pending <= debits_posted)
  )
);
CREATE INDEX account_customer_idx ON account (customer_id);
CREATE INDEX account_card_idx ON account (card_no);

CREATE TABLE transfer (
  id uuid PRIMARY KEY,
  -- Linked transfers share a batch id: they were committed together or not at all.
  batch_id uuid NOT NULL,
  debit_account_id bigint NOT NULL REFERENCES account (id),
  credit_account_id bigint NOT NULL REFERENCES account (id),
  amount_fen bigint NOT NULL CHECK (amount_fen > 0),
  code text NOT NULL CHECK (code ~ '^[A-Z][A-Z_]{1,39}$'),
  state text NOT NULL CHECK (state IN ('pending', 'posted', 'voided')),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((state = 'pending') = (resolved_at IS NULL))
);
CREATE INDEX transfer_debit_idx ON transfer (debit_account_id);
CREATE INDEX transfer_credit_idx ON transfer (credit_account_id);
CREATE INDEX transfer_batch_idx ON transfer (batch_id);

-- Append-only: no DELETE, and the only UPDATE is pending → posted | voided.
CREATE FUNCTION transfer_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'transfers are never deleted' USING ERRCODE = 'P0001';
  END IF;
  IF OLD.state <> 'pending' OR NEW.state NOT IN ('posted', 'voided')
     OR NEW.id <> OLD.id OR NEW.amount_fen <> OLD.amount_fen
     OR NEW.debit_account_id <> OLD.debit_account_id OR NEW.credit_account_id <> OLD.credit_account_id
     OR NEW.code <> OLD.code OR NEW.batch_id <> OLD.batch_id THEN
    RAISE EXCEPTION 'a transfer only changes once, from pending to posted or voided' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER transfer_guard BEFORE UPDATE OR DELETE ON transfer FOR EACH ROW EXECUTE FUNCTION transfer_guard();

-- The invariants, checkable by anyone with SQL: every row of this view is a violation.
CREATE VIEW ledger_violation AS
  SELECT 'sum_posted_not_zero' AS rule, NULL::bigint AS account_id, sum(credits_posted - debits_posted) AS detail
    FROM account HAVING sum(credits_posted - debits_posted) <> 0
  UNION ALL
  SELECT 'sum_pending_not_zero', NULL, sum(credits_pending - debits_pending)
    FROM account HAVING sum(credits_pending - debits_pending) <> 0
  UNION ALL
  SELECT 'figures_disagree_with_transfers', a.id, a.credits_posted - coalesce(t.cp, 0)
    FROM account a
    LEFT JOIN (
      SELECT account_id, sum(dp) AS dp, sum(cp) AS cp, sum(dq) AS dq, sum(cq) AS cq FROM (
        SELECT debit_account_id AS account_id,
               CASE WHEN state = 'posted' THEN amount_fen ELSE 0 END AS dp, 0::bigint AS cp,
               CASE WHEN state = 'pending' THEN amount_fen ELSE 0 END AS dq, 0::bigint AS cq
          FROM transfer
        UNION ALL
        SELECT credit_account_id, 0, CASE WHEN state = 'posted' THEN amount_fen ELSE 0 END,
               0, CASE WHEN state = 'pending' THEN amount_fen ELSE 0 END
          FROM transfer
      ) legs GROUP BY account_id
    ) t ON t.account_id = a.id
    WHERE a.debits_posted <> coalesce(t.dp, 0) OR a.credits_posted <> coalesce(t.cp, 0)
       OR a.debits_pending <> coalesce(t.dq, 0) OR a.credits_pending <> coalesce(t.cq, 0);
