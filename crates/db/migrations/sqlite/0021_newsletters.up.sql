-- Newsletters (issue 24 §8): a digest of chosen published items, in one
-- language, sent by e-mail to the portal's accounts that consented to news
-- (purpose "news"); consent is read again at the moment each message goes.
CREATE TABLE newsletters (
    id INTEGER PRIMARY KEY,
    -- vi, en: the accounts whose language it is receive it
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT '',
    -- content item ids, comma-separated, in the digest's order
    items TEXT NOT NULL DEFAULT '',
    -- the message as sent (written when sending starts), with the
    -- placeholder each recipient's unsubscribe token replaces
    body_text TEXT,
    body_html TEXT,
    -- draft, sending, sent
    state TEXT NOT NULL DEFAULT 'draft',
    created_by BIGINT,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    started_by_name TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    finished_at TEXT,
    version BIGINT NOT NULL DEFAULT 1
);

-- One row a recipient: queued when sending starts, claimed by one server
-- at a time (next_attempt_at is its lease), sent, failed (with the error,
-- after its attempts) or skipped (consent withdrawn meanwhile). Only the
-- SHA-256 of the unsubscribe token is kept.
CREATE TABLE newsletter_deliveries (
    id INTEGER PRIMARY KEY,
    newsletter_id BIGINT NOT NULL REFERENCES newsletters(id),
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    -- set just before its message goes
    unsubscribe_hash TEXT UNIQUE,
    -- pending, sent, failed, skipped
    state TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    done_at TEXT,
    UNIQUE (newsletter_id, account_id)
);
CREATE INDEX newsletter_deliveries_due ON newsletter_deliveries(state, next_attempt_at);

-- Questions and answers (issue 24 §5): the FAQ item an answered petition
-- was made into (a draft on the desk, published through the workflow).
CREATE TABLE petition_faqs (
    petition_id BIGINT PRIMARY KEY REFERENCES portal_petitions(id),
    item_id BIGINT NOT NULL REFERENCES content_items(id)
);

-- Files of published items (issue 24 §2–§4): a news item's cover image, a
-- legal document's PDF, a procedure's forms. Kept in the database (outside
-- any web root, in every backup, shared by every server), each checked by
-- its content, not its name.
CREATE TABLE content_files (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES content_items(id),
    -- cover, attachment
    role TEXT NOT NULL,
    -- the name shown and given to downloads
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX content_files_item ON content_files(item_id, id);

-- The bytes: an attachment as received (width 0); a cover resized to a
-- few widths (JPEG), never the upload itself.
CREATE TABLE content_file_data (
    file_id BIGINT NOT NULL REFERENCES content_files(id),
    width BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (file_id, width)
);
