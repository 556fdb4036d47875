-- Questions customers ask the chat at any step ("is it free?"), answered in the brand's own words.
-- `keywords` are the phrases that identify a question, in any language; the console edits the list.
CREATE TABLE brand_faq (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id   text NOT NULL REFERENCES brands ON DELETE CASCADE,
  position   integer NOT NULL DEFAULT 0,
  keywords   text[] NOT NULL CHECK (cardinality(keywords) > 0),
  questions  jsonb NOT NULL DEFAULT '{}',
  answers    jsonb NOT NULL
);
CREATE INDEX brand_faq_by_brand ON brand_faq (brand_id, position);
