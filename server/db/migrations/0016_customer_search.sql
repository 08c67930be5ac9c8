-- Searching customers by part of the name across a network of millions (docs/domain.md
-- "Customers"): a LIKE '%…%' cannot use a B-tree, and pg_trgm ignores Chinese characters under the
-- C locale, so each name carries its characters and pairs of characters (lower-cased) in an array
-- with a GIN index. A query of two or more characters looks up its pairs, a single character
-- itself; the LIKE on the rows found keeps the answer exact (server/customers/customers.ts).

CREATE FUNCTION customer_name_grams(name text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (SELECT substr(lower(name), i, 1) AS gram FROM generate_series(1, char_length(name)) AS i
          UNION ALL
          SELECT substr(lower(name), i, 2) FROM generate_series(1, char_length(name) - 1) AS i) AS grams
$$;

CREATE FUNCTION customer_query_grams(query text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN char_length(query) = 1 THEN ARRAY[lower(query)]
              ELSE (SELECT array_agg(DISTINCT substr(lower(query), i, 2)) FROM generate_series(1, char_length(query) - 1) AS i)
         END
$$;

ALTER TABLE customer ADD COLUMN name_grams text[] GENERATED ALWAYS AS (customer_name_grams(name)) STORED;
CREATE INDEX customer_name_grams_idx ON customer USING gin (name_grams);
CREATE INDEX card_no_customer_idx ON card (card_no, customer_id);
