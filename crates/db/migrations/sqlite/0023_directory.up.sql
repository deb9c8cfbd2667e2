-- The directory of people abroad (danh bạ kiều bào, issue 23 §6): an entry
-- a person linked to a record publishes, each field shown only when its
-- owner chose it (nothing by default); the values of country, city,
-- hometown and occupation are read from the record, never copied. An entry
-- exists only while the directory consent is given (withdrawing it deletes
-- the entry). An officer may hide an entry after a report.
CREATE TABLE directory_entries (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL UNIQUE REFERENCES portal_accounts(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    display_name TEXT NOT NULL DEFAULT '',
    intro TEXT NOT NULL DEFAULT '',
    -- 1 = shown; each chosen by the owner
    show_name BIGINT NOT NULL DEFAULT 0,
    show_country BIGINT NOT NULL DEFAULT 0,
    show_city BIGINT NOT NULL DEFAULT 0,
    show_hometown BIGINT NOT NULL DEFAULT 0,
    show_occupation BIGINT NOT NULL DEFAULT 0,
    show_intro BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    hidden_at TEXT,
    hidden_by BIGINT,
    hidden_reason TEXT NOT NULL DEFAULT ''
);

-- Relay messages: the text goes by e-mail to the recipient; no address is
-- ever shown to either side. Kept for the per-day limit and for reports.
CREATE TABLE directory_messages (
    id INTEGER PRIMARY KEY,
    sender_account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    recipient_account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    body TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX directory_messages_sender ON directory_messages(sender_account_id, sent_at);

-- A person blocks another: the blocked one cannot write to them, and
-- neither sees the other.
CREATE TABLE directory_blocks (
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    blocked_account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    at TEXT NOT NULL,
    PRIMARY KEY (account_id, blocked_account_id)
);

-- Reports of abuse, for the province's officers: open, hidden (the entry
-- was hidden) or dismissed.
CREATE TABLE directory_reports (
    id INTEGER PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES directory_entries(id),
    reporter_account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    decided_by BIGINT,
    decided_at TEXT
);
CREATE INDEX directory_reports_status ON directory_reports(status, id);

-- A withdrawal request opened automatically when a consent that cannot be
-- undone at once is withdrawn (issue 23 §4): the purpose withdrawn.
ALTER TABLE portal_requests ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
