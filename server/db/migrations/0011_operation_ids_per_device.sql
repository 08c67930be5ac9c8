-- Operation ids belong to the device that made them (found by the fault simulation's on-path
-- adversary): with one id space for all devices, a device that saw another's push on the wire
-- could push that operation id first from its own account; the honest operation was then refused
-- as IDEMPOTENCY_CONFLICT and, refused without a record, held its device's queue for good
-- (SEQ_GAP). An id is now unique per device (operations made without a device share one space),
-- and every look-up names the device (sync/records.ts).
ALTER TABLE operation DROP CONSTRAINT operation_pkey;
CREATE UNIQUE INDEX operation_owner_id_idx ON operation ((coalesce(device_id, '')), id);
