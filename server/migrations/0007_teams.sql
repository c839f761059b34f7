-- Teams: people, their roles in publishers, browser sessions, one-time links (set-password,
-- reset, invitation), failed sign-ins, API keys' roles and limits, and the hash-chained audit
-- record. Secrets (passwords, session ids, link tokens, keys) are stored only as hashes.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    lang TEXT NOT NULL,
    password_hash TEXT,
    created_ms BIGINT NOT NULL,
    last_sign_in_ms BIGINT
);

CREATE TABLE memberships (
    publisher_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (publisher_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- A reviewer's subscriptions, each granted by the publisher that invited them.
CREATE TABLE reviewer_grants (
    user_id TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    publisher_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, subscription_id, publisher_id)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    address TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- purpose: setPassword (from `user create` or a reset) or invitation.
CREATE TABLE links (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    email TEXT NOT NULL,
    publisher_id TEXT,
    role TEXT,
    subscription_id TEXT,
    created_by TEXT,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT,
    revoked_ms BIGINT
);
CREATE INDEX links_by_publisher ON links (publisher_id, purpose, created_ms);

-- Failed sign-ins per account (`email:…`) and per client address (`addr:…`).
CREATE TABLE sign_in_failures (
    subject TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_ms BIGINT NOT NULL,
    blocked_until_ms BIGINT NOT NULL
);

-- API keys: a role no higher than the creator's, an optional expiry and offer limit. Tokens made
-- before this migration, and by `token create`, are owners' keys made by the operator.
ALTER TABLE tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'owner';
ALTER TABLE tokens ADD COLUMN created_by TEXT;
ALTER TABLE tokens ADD COLUMN expires_ms BIGINT;
ALTER TABLE tokens ADD COLUMN offers TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_used_ms BIGINT;
CREATE INDEX tokens_by_publisher ON tokens (publisher_id, created_ms);

-- The audit record: one hash chain per publisher ('' holds what belongs to none, such as a
-- failed sign-in for an unknown address). audit_heads holds each chain's last entry; updating
-- it first serializes writers of one chain.
CREATE TABLE audit (
    publisher_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    offer_id TEXT,
    address TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    hash TEXT NOT NULL,
    PRIMARY KEY (publisher_id, seq)
);
CREATE INDEX audit_by_time ON audit (publisher_id, at_ms);

CREATE TABLE audit_heads (
    publisher_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- Who started an operation and who signed it off.
ALTER TABLE operations ADD COLUMN started_by TEXT;
ALTER TABLE operations ADD COLUMN signed_off_by TEXT;
