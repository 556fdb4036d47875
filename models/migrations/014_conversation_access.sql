-- The console checks who may read a conversation by the appointments booked in it (issue 9):
-- find them by conversation without reading every appointment of the brand.
CREATE INDEX appointments_by_conversation ON appointments (brand_id, conversation_id) WHERE conversation_id IS NOT NULL;

-- A message left about an appointment that has no store (online, its advisor without a home store)
-- is for its advisor and the admins, not for every console of the brand.
ALTER TABLE console_tasks ADD COLUMN staff_id uuid REFERENCES staff ON DELETE SET NULL;
