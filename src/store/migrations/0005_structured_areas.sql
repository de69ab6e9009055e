-- Access Record Structured clinical areas a practice has switched off (spec: each area can be
-- turned off per site, e.g. after a clinical safety incident). Empty = every area on, so existing
-- practices and the demo seed keep returning everything. Names are those of
-- src/domain/structured-areas.ts; the check catches a mistyped name written by hand, which would
-- otherwise switch nothing off while looking as if it had.
ALTER TABLE practice ADD COLUMN structured_areas_disabled text[] NOT NULL DEFAULT '{}'
  CHECK (structured_areas_disabled <@ ARRAY['allergies', 'medication', 'consultations', 'problems', 'immunisations',
                                            'uncategorised', 'investigations', 'referrals', 'diary']::text[]);
