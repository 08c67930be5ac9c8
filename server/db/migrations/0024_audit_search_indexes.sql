-- The centre's audit log and card state history (server/audit/search.ts, card-states.ts) read a
-- unit's entries newest first, a card's entries by subject, and time ranges across the whole log
-- (the administrator): these keep a search to the rows it shows rather than the whole log.
CREATE INDEX audit_log_unit_at_idx ON audit_log (org_unit_id, at);
CREATE INDEX audit_log_subject_at_idx ON audit_log (subject, at);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX stock_movement_range_idx ON stock_movement (first_card_no, last_card_no);
