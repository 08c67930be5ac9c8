-- What a customer's receipt names besides the money (docs/operations.md "Receipts"): the address of
-- the station (or outlet) a kiosk stands at, in both languages, and the service hotline printed under
-- it. A unit without a hotline of its own takes the nearest one above it (the province's 95504 is
-- the company's), so the hotline is set once high in the tree and an address once per site. Set
-- with `npm run admin -- station-info`; NULL until then, and the receipt leaves the line out.

ALTER TABLE org_unit
  ADD COLUMN address_zh text CHECK (length(address_zh) BETWEEN 1 AND 200),
  ADD COLUMN address_en text CHECK (length(address_en) BETWEEN 1 AND 200),
  ADD COLUMN hotline text CHECK (hotline ~ '^\+?[0-9][0-9 -]{2,19}$');
