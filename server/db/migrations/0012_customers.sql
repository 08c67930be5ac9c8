-- Customers made at the outlet (docs/domain.md §5), by the push operations customer.create and
-- customer.update (server/customers/). A unit carries its unified social credit code as tax_id
-- and a contact; a person an identity document. The rules of the values (check characters, names'
-- script) are checked in TypeScript (server/contract/customer-rules.ts); the database keeps the
-- shapes, so no other writer stores what the rules would never let through.

-- Personal identity documents gain the travel permits of Hong Kong, Macao and Taiwan residents;
-- business_licence and org_code stay for units stored before they carried a tax id.
ALTER TABLE customer DROP CONSTRAINT customer_id_doc_type_check;
ALTER TABLE customer ADD CONSTRAINT customer_id_doc_type_check
  CHECK (id_doc_type IN ('resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'other', 'business_licence', 'org_code'));

ALTER TABLE customer
  ADD COLUMN tax_id text CHECK (tax_id ~ '^[0-9A-Z]{18}$'),
  ADD COLUMN address text CHECK (length(address) BETWEEN 1 AND 200),
  ADD COLUMN contact_name text CHECK (length(contact_name) BETWEEN 1 AND 100),
  ADD COLUMN contact_phone text CHECK (contact_phone ~ '^[0-9+ -]{5,20}$'),
  ADD COLUMN intro_letter_ref text CHECK (length(intro_letter_ref) BETWEEN 1 AND 60),
  -- 1 when created, one more per applied edit: the number of the customer's last customer_revision.
  ADD COLUMN revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE customer ADD CONSTRAINT customer_unit_fields_only_for_units
  CHECK (kind = 'unit' OR (tax_id IS NULL AND address IS NULL AND contact_name IS NULL AND contact_phone IS NULL AND intro_letter_ref IS NULL));

-- A unit stored with its credit code as a business licence number gets it as its tax id.
UPDATE customer SET tax_id = id_doc_no, id_doc_type = NULL, id_doc_no = NULL
 WHERE kind = 'unit' AND id_doc_type = 'business_licence' AND id_doc_no ~ '^[0-9A-Z]{18}$';

-- Search keys other than the name (whole values; the name is searched by part).
CREATE INDEX customer_id_doc_no_idx ON customer (id_doc_no);
CREATE INDEX customer_tax_id_idx ON customer (tax_id);
CREATE INDEX customer_phone_idx ON customer (phone);
CREATE INDEX customer_contact_phone_idx ON customer (contact_phone);

-- Every change of a customer's details: the creation (revision 1, before null) and each edit,
-- with the changed fields before and after (by the names of the contract's CustomerView), who
-- made it, from which device, and the operation that carried it. Never updated or deleted.
CREATE TABLE customer_revision (
  customer_id bigint NOT NULL REFERENCES customer (id),
  revision integer NOT NULL CHECK (revision >= 1),
  before jsonb CHECK ((revision = 1) = (before IS NULL)),
  after jsonb NOT NULL,
  operator_id bigint REFERENCES operator (id),
  device_id text REFERENCES device (id),
  operation_id uuid,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, revision)
);

CREATE FUNCTION customer_revision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'customer_revision is append-only';
END $$;
CREATE TRIGGER customer_revision_append_only BEFORE UPDATE OR DELETE ON customer_revision
  FOR EACH ROW EXECUTE FUNCTION customer_revision_append_only();
