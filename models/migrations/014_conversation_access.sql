-- The console checks who may read a conversation by the appointments booked in it (issue 9):
-- find them by conversation without reading every appointment of the brand.
CREATE INDEX appointments_by_conversation ON appointments (brand_id, conversation_id) WHERE conversation_id IS NOT NULL;
