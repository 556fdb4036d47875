-- Read-mostly tables tell every instance's read cache (models/read-cache.ts) when they change:
-- one notice per statement, carrying the table's name, delivered at commit.
CREATE OR REPLACE FUNCTION rdv_notify_read_cache() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rdv_read_cache', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER brands_read_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brands
  FOR EACH STATEMENT EXECUTE FUNCTION rdv_notify_read_cache();
CREATE TRIGGER services_read_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services
  FOR EACH STATEMENT EXECUTE FUNCTION rdv_notify_read_cache();
CREATE TRIGGER stores_read_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stores
  FOR EACH STATEMENT EXECUTE FUNCTION rdv_notify_read_cache();
CREATE TRIGGER brand_faq_read_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brand_faq
  FOR EACH STATEMENT EXECUTE FUNCTION rdv_notify_read_cache();
CREATE TRIGGER equipment_type_services_read_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON equipment_type_services
  FOR EACH STATEMENT EXECUTE FUNCTION rdv_notify_read_cache();

-- Per-conversation turn order across instances (bot/turn-order.ts): customer messages that asked
-- for a turn are numbered 1, 2, 3…; a turn runs once the one before it is done, on any instance.
ALTER TABLE conversations
  ADD COLUMN turns_asked integer NOT NULL DEFAULT 0,
  ADD COLUMN turns_done integer NOT NULL DEFAULT 0;
