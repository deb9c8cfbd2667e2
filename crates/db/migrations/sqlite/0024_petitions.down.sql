DROP TABLE portal_petition_files;
DELETE FROM petition_faqs WHERE petition_id IN (SELECT id FROM portal_petitions WHERE account_id IS NULL);
DELETE FROM portal_petitions WHERE account_id IS NULL;
CREATE TABLE portal_petitions_prev (
    id INTEGER PRIMARY KEY,
    number TEXT UNIQUE,
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    person_id BIGINT REFERENCES persons(id),
    category TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'received',
    received_at TEXT NOT NULL,
    answer_by TEXT NOT NULL,
    assigned_to BIGINT REFERENCES users(id),
    assigned_at TEXT,
    answer TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    closed_at TEXT
);
INSERT INTO portal_petitions_prev (id, number, account_id, person_id, category, subject, body, status, received_at, answer_by, assigned_to, assigned_at, answer, answered_at, closed_at) SELECT id, number, account_id, person_id, category, subject, body, status, received_at, answer_by, assigned_to, assigned_at, answer, answered_at, closed_at FROM portal_petitions;
CREATE TABLE petition_faqs_prev (
    petition_id BIGINT PRIMARY KEY REFERENCES portal_petitions_prev(id),
    item_id BIGINT NOT NULL REFERENCES content_items(id)
);
INSERT INTO petition_faqs_prev (petition_id, item_id) SELECT petition_id, item_id FROM petition_faqs;
DROP TABLE petition_faqs;
DROP TABLE portal_petitions;
ALTER TABLE portal_petitions_prev RENAME TO portal_petitions;
ALTER TABLE petition_faqs_prev RENAME TO petition_faqs;
CREATE INDEX portal_petitions_open ON portal_petitions(status, answer_by);
CREATE INDEX portal_petitions_account ON portal_petitions(account_id, id);
