-- The offers list shows each offer's status from its latest operation: keep a small summary
-- of the pipeline (status, step, percentage) beside it, written with every pipeline change, so
-- the list never parses pipelines. Older rows are back-filled at start-up (Store::connect).
ALTER TABLE operations ADD COLUMN brief TEXT;

-- Reviewer tokens act for one Azure subscription id (a preview allow-list entry) instead of a
-- publisher.
ALTER TABLE tokens ADD COLUMN subscription_id TEXT;

-- The product page of each packaged version (Packaging step): the catalogue entry (JSON, what
-- customers see), where its page and assets are in the site store, and the preview allow-list
-- of that version as ",sub1,sub2," (lower case) so a reviewer's previews are one query.
CREATE TABLE packages (
    publisher_id TEXT NOT NULL,
    offer_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    entry TEXT NOT NULL,
    prefix TEXT NOT NULL,
    allowed_subscriptions TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (publisher_id, offer_id, version)
);
