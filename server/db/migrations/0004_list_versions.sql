-- List versions (the blacklist and the grey list a device caches for offline work, pulled as
-- list.blacklist.version / list.greylist.version): bumped by the database itself whenever a card
-- enters or leaves a list, so no code path that changes a card can forget it. A card is on the
-- blacklist while it is lost or blacklisted, on the grey list while grey.
--
-- The trigger fires only when state or grey actually changes, never on the load path's counter
-- updates, so the one app_meta row per list is not a hot row: it is written only by the rare
-- state changes (loss reports, blacklisting, grey locks and unlocks).

CREATE FUNCTION card_list_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_black boolean := TG_OP = 'UPDATE' AND OLD.state IN ('lost', 'blacklisted');
  new_black boolean := NEW.state IN ('lost', 'blacklisted');
  old_grey boolean := TG_OP = 'UPDATE' AND OLD.grey;
BEGIN
  IF old_black IS DISTINCT FROM new_black THEN
    INSERT INTO app_meta (key, value) VALUES ('list.blacklist.version', '1')
      ON CONFLICT (key) DO UPDATE SET value = (app_meta.value::bigint + 1)::text, updated_at = now();
  END IF;
  IF old_grey IS DISTINCT FROM NEW.grey THEN
    INSERT INTO app_meta (key, value) VALUES ('list.greylist.version', '1')
      ON CONFLICT (key) DO UPDATE SET value = (app_meta.value::bigint + 1)::text, updated_at = now();
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER card_list_version_on_update AFTER UPDATE OF state, grey ON card FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.grey IS DISTINCT FROM NEW.grey)
  EXECUTE FUNCTION card_list_version_bump();
CREATE TRIGGER card_list_version_on_insert AFTER INSERT ON card FOR EACH ROW
  WHEN (NEW.state IN ('lost', 'blacklisted') OR NEW.grey)
  EXECUTE FUNCTION card_list_version_bump();
