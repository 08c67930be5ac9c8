-- Limits on money (issue 11's review: a cash receipt of 4,294,967,295 fen took a quota past 2^32).
--
-- A customer's money account (quota, a card's reserve, a purse mirror) may not hold more than a
-- card's 4-byte balance field can carry, counting money on its way in (ledger/accounts.ts
-- CUSTOMER_ACCOUNT_FEN_MAX; the ledger refuses it first, this is the database's word on it).
ALTER TABLE account ADD CONSTRAINT account_customer_money_fits_a_card
  CHECK (code NOT IN ('QUOTA', 'RESERVE', 'PURSE') OR credits_posted + credits_pending - debits_posted <= 4294967295);

-- A supervisor's approval of one amount of money, asked for at the counter: a cash receipt above
-- the configured threshold names it, and uses it up (sync/operations.ts, auth/approvals.ts).
CREATE TABLE approval (
  id uuid PRIMARY KEY,
  purpose text NOT NULL CHECK (purpose IN ('receipt.cash')),
  customer_id bigint NOT NULL REFERENCES customer (id),
  amount_fen bigint NOT NULL CHECK (amount_fen > 0),
  approved_by bigint NOT NULL REFERENCES operator (id),
  approved_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by bigint REFERENCES operator (id),
  CHECK ((used_at IS NULL) = (used_by IS NULL))
);
