-- Equipment types and message templates join the read cache (models/read-cache.ts): the chat's
-- menu asks whether the brand has equipment types on every greeting, and every confirmation
-- renders templates. Same notice as migration 021's tables.
CREATE TRIGGER equipment_types_read_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON equipment_types
  FOR EACH STATEMENT EXECUTE FUNCTION rdv_notify_read_cache();
CREATE TRIGGER message_templates_read_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON message_templates
  FOR EACH STATEMENT EXECUTE FUNCTION rdv_notify_read_cache();
