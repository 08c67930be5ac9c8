-- Foundation: organisation, devices, customers and cards; the ledger comes in later migrations.
-- Plain SQL that runs on PGlite and PostgreSQL alike (docs/architecture.md decision 8). No BEGIN/COMMIT:
-- the runner wraps each file in a transaction.

-- Installation facts, e.g. demo = 'true' when the database was seeded with demo data and test keys.
CREATE TABLE app_meta (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The issuer's tree: province company, city, county, outlet (网点), station (加油站), centre.
CREATE TABLE org_unit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id bigint REFERENCES org_unit (id),
  kind text NOT NULL CHECK (kind IN ('province', 'city', 'county', 'center', 'outlet', 'station')),
  code text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-Z]{2,16}$'),
  name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
  name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'province') = (parent_id IS NULL))
);

-- Kiosks and tablets. terminal_id is the 6-byte terminal number the card puts in its MACs.
CREATE TABLE device (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{3,64}$'),
  kind text NOT NULL CHECK (kind IN ('kiosk', 'tablet')),
  org_unit_id bigint NOT NULL REFERENCES org_unit (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  terminal_id text NOT NULL UNIQUE CHECK (terminal_id ~ '^[0-9A-F]{12}$'),
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Card holders: a person (个人) or a unit (单位) holding a multi-user card.
CREATE TABLE customer (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('personal', 'unit')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  id_doc_type text CHECK (id_doc_type IN ('resident_id', 'passport', 'business_licence', 'org_code', 'other')),
  id_doc_no text CHECK (length(id_doc_no) BETWEEN 1 AND 40),
  phone text CHECK (phone ~ '^[0-9+ -]{5,20}$'),
  org_unit_id bigint NOT NULL REFERENCES org_unit (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((id_doc_type IS NULL) = (id_doc_no IS NULL))
);

-- Cards by ASN (application serial number, 20 BCD digits; printed without its leading 0).
CREATE TABLE card (
  card_no text PRIMARY KEY CHECK (card_no ~ '^[0-9]{20}$'),
  customer_id bigint REFERENCES customer (id),
  card_type text NOT NULL CHECK (card_type IN ('user', 'employee', 'maintenance', 'test', 'manage')),
  role text NOT NULL CHECK (role IN ('single', 'main', 'sub')),
  main_card_no text REFERENCES card (card_no),
  named boolean NOT NULL,
  state text NOT NULL CHECK (state IN ('stock', 'active', 'lost', 'blacklisted', 'closed', 'expired', 'bad')),
  key_version smallint NOT NULL CHECK (key_version BETWEEN 0 AND 255),
  expires_on date,
  issued_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'sub') = (main_card_no IS NOT NULL)),
  CHECK (state = 'stock' OR customer_id IS NOT NULL)
);
CREATE INDEX card_customer_idx ON card (customer_id);
CREATE INDEX card_main_idx ON card (main_card_no);
