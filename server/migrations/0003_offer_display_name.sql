-- The offers list shows each offer's display name: keep it in a column, written with every
-- draft, so the list never parses drafts. Rows from before this migration are back-filled at
-- start-up (Store::connect), since JSON functions differ between SQLite and PostgreSQL.
ALTER TABLE offers ADD COLUMN display_name TEXT;
