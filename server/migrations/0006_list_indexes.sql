-- The offers list reads every offer of a publisher, and each offer's latest status summary.
-- In a row, the columns it needs come after the draft (and the summary after the pipeline),
-- so SQLite would read every draft's overflow pages to reach them: ≈ 200 ms of CPU per list of
-- 10,000 offers. Covering indexes answer the list from the indexes alone, on PostgreSQL too.
CREATE INDEX offers_list ON offers
    (publisher_id, changed_ms, offer_id, display_name, draft_hash, version, production_version);
-- Same prefix as operations_by_offer, which it replaces.
CREATE INDEX operations_latest ON operations (publisher_id, offer_id, created_ms, id, brief);
DROP INDEX operations_by_offer;
