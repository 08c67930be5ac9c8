-- The Shift screen's list (server/shifts/operations.ts) finds each kind of money movement from the
-- shift's drawer or its operator: these let it go from a drawer transfer to the card issue or
-- anonymous sale that made it, and from the operator to the loads, top-ups and reversals it did
-- while the shift was open, without reading whole tables.
CREATE INDEX card_issue_fee_transfer_idx ON card_issue (fee_transfer_id) WHERE fee_transfer_id IS NOT NULL;
CREATE INDEX card_issue_refund_transfer_idx ON card_issue (refund_transfer_id) WHERE refund_transfer_id IS NOT NULL;
CREATE INDEX anonymous_card_fee_transfer_idx ON anonymous_card (fee_transfer_id) WHERE fee_transfer_id IS NOT NULL;
CREATE INDEX anonymous_card_first_transfer_idx ON anonymous_card (first_transfer_id) WHERE first_transfer_id IS NOT NULL;
CREATE INDEX audit_log_operator_at_idx ON audit_log (operator_id, at) WHERE operator_id IS NOT NULL;
CREATE INDEX reversal_operator_at_idx ON reversal (operator_id, at);
CREATE INDEX operation_anonymous_topup_transfer_idx ON operation ((result->>'transferId')) WHERE type = 'card.anonymous.topup';
