-- Portable SQL: runs unchanged on SQLite and PostgreSQL (through sqlx::Any).
-- Times are Unix milliseconds (BIGINT); documents and pipelines are JSON text.
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    publisher_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL
);

CREATE TABLE offers (
    publisher_id TEXT NOT NULL,
    offer_id TEXT NOT NULL,
    draft TEXT NOT NULL,
    draft_hash TEXT NOT NULL,
    etag TEXT NOT NULL,
    changed_ms BIGINT NOT NULL,
    version BIGINT NOT NULL,
    preview_version BIGINT,
    production_version BIGINT,
    PRIMARY KEY (publisher_id, offer_id)
);

CREATE TABLE offer_versions (
    publisher_id TEXT NOT NULL,
    offer_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    document TEXT NOT NULL,
    draft_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (publisher_id, offer_id, version)
);

CREATE TABLE operations (
    id TEXT PRIMARY KEY,
    publisher_id TEXT NOT NULL,
    offer_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    draft_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    emails TEXT NOT NULL,
    preview_links TEXT NOT NULL,
    live_links TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    next_step TEXT,
    lease_owner TEXT,
    lease_until BIGINT
);
CREATE INDEX operations_by_offer ON operations (publisher_id, offer_id, created_ms);
CREATE INDEX operations_runnable ON operations (next_step, lease_until);
-- One running operation per offer, enforced by the database.
CREATE UNIQUE INDEX operations_one_running ON operations (publisher_id, offer_id) WHERE status = 'running';

-- Every start of a step's work, for audits (and the test that no step runs twice).
CREATE TABLE step_runs (
    id TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL,
    step TEXT NOT NULL,
    owner TEXT NOT NULL,
    started_ms BIGINT NOT NULL
);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    publisher_id TEXT NOT NULL,
    operation_id TEXT,
    kind TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    delivered_ms BIGINT
);
CREATE INDEX outbox_by_publisher ON outbox (publisher_id, created_ms);
