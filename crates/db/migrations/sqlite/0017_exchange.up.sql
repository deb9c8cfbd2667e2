-- The change feed (issue 25 §3): one row per change of a person, written by
-- the triggers below inside the transaction that changes the record. SQLite
-- has one writer at a time (every write transaction begins IMMEDIATE), so
-- the numbers commit in order. The updates that only renumber change_seq
-- (the triggers of 0003 and 0007) are not changes and write nothing.
CREATE TABLE change_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    entity TEXT NOT NULL,
    kind TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    merged_into BIGINT,
    hometown_new_code TEXT,
    hometown_legacy_code TEXT,
    hometown_legacy_district TEXT,
    country TEXT
);
CREATE INDEX change_events_entity ON change_events(entity, entity_id, seq);

CREATE TRIGGER persons_change_event_insert AFTER INSERT ON persons
BEGIN
    INSERT INTO change_events (at, entity, kind, entity_id, version, merged_into,
        hometown_new_code, hometown_legacy_code, hometown_legacy_district, country)
    VALUES (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'), 'person', 'create', NEW.id, NEW.version,
        NULL, NEW.hometown_new_code, NEW.hometown_legacy_code, NEW.hometown_legacy_district,
        NEW.country);
END;

CREATE TRIGGER persons_change_event_update AFTER UPDATE ON persons
WHEN NEW.change_seq = OLD.change_seq
BEGIN
    INSERT INTO change_events (at, entity, kind, entity_id, version, merged_into,
        hometown_new_code, hometown_legacy_code, hometown_legacy_district, country)
    VALUES (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'), 'person',
        CASE
            WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
                CASE WHEN NEW.deleted_reason LIKE 'merged into #%' THEN 'merge' ELSE 'delete' END
            WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN
                CASE WHEN OLD.deleted_reason LIKE 'merged into #%' THEN 'unmerge' ELSE 'restore' END
            ELSE 'update'
        END,
        NEW.id, NEW.version,
        CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
                  AND NEW.deleted_reason LIKE 'merged into #%'
             THEN CAST(substr(NEW.deleted_reason, 14) AS INTEGER) END,
        NEW.hometown_new_code, NEW.hometown_legacy_code, NEW.hometown_legacy_district,
        NEW.country);
END;

-- Machine clients (issue 25 §5): a system account is a user that never
-- signs in with a password (its password hash is not a hash); its role and
-- scopes (user_scopes) are the jurisdiction of its tokens. A token made by
-- rotating another names it, so both stay valid until the old is revoked.
ALTER TABLE users ADD COLUMN system_account BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN rotated_from BIGINT;

-- Webhooks (issue 25 §4): a subscription per system (its account's
-- jurisdiction filters what it is sent), the position in the change feed
-- it has been handed up to, and its deliveries: a batch of events each,
-- sent in order, retried with exponential back-off, dead after the last
-- attempt (kept, and sent again on request). Every attempt is logged.
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    kinds TEXT NOT NULL,
    feed_cursor BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by BIGINT
);
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    first_seq BIGINT,
    last_seq BIGINT,
    events BIGINT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries(subscription_id, status, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    http_status BIGINT,
    error TEXT,
    millis BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);
