-- Fewer round trips per load (issue 5's profile: a load took 21 statements, each a round trip).
--
-- audit_chain.prev_hash: the hash before the head's. An audit row is now hashed by the database
-- in the same statement that moves its chain's head on (audit/log.ts planAudit); the row needs
-- the previous hash, and an upsert can return only the head's new values, so the head keeps it.
ALTER TABLE audit_chain ADD COLUMN prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$');

-- card.pending_load_id: the card's pending load or unload, if any, kept by the statements that
-- create and settle it (cards/online.ts). Read with the card's row lock, it is current (a locked
-- row is re-read after waiting; a sub-select would not be), so a load's initialise looks for an
-- older pending load only when there is one. The partial unique index card_load_one_pending_idx
-- stays the guarantee: a stale pointer can cost a look-up, never a second pending load.
ALTER TABLE card ADD COLUMN pending_load_id uuid;
UPDATE card c SET pending_load_id = l.id FROM card_load l WHERE l.card_no = c.card_no AND l.state = 'pending';
