-- SMTP delivery of the outbox: attempts so far, when the next may start (also a lease while a
-- worker sends), and the last failure (the server's answer; never credentials).
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_ms BIGINT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
