-- Petitions completed (issue 23 §7).
--
-- Without an account: a petition may come with a verified e-mail address
-- alone (no account). The table is made again so that account_id may be
-- empty (SQLite cannot drop a NOT NULL): a new one takes the rows, and
-- petition_faqs (the one table referring to petitions) is made again
-- with it, so that the foreign keys hold at every step.
CREATE TABLE portal_petitions_next (
    id INTEGER PRIMARY KEY,
    number TEXT UNIQUE,
    -- The sender's portal account; none: sent with a verified e-mail alone.
    account_id BIGINT REFERENCES portal_accounts(id),
    person_id BIGINT REFERENCES persons(id),
    category TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- unverified (no account, address not yet verified), received,
    -- assigned, answered, forwarded, closed
    status TEXT NOT NULL DEFAULT 'received',
    received_at TEXT NOT NULL,
    answer_by TEXT NOT NULL,
    assigned_to BIGINT REFERENCES users(id),
    assigned_at TEXT,
    answer TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    closed_at TEXT,
    -- Without an account: the address and the language of its e-mails,
    -- the SHA-256 of the verification link's token (single use, expiring)
    -- and of the secret link the sender follows the petition with.
    sender_email TEXT NOT NULL DEFAULT '',
    sender_lang TEXT NOT NULL DEFAULT 'vi',
    verify_hash TEXT UNIQUE,
    verify_expires_at TEXT,
    follow_hash TEXT UNIQUE,
    -- Forwarded to a competent body: which one, the day, the number and
    -- symbol of the forwarding letter and the letter itself (.docx as made).
    forwarded_to TEXT NOT NULL DEFAULT '',
    forwarded_on TEXT,
    forward_number TEXT NOT NULL DEFAULT '',
    forward_letter BLOB,
    -- Reminder to the assignee near the deadline, escalation to the
    -- province once overdue: each at most once.
    reminded_at TEXT,
    escalated_at TEXT
);
INSERT INTO portal_petitions_next (id, number, account_id, person_id, category, subject, body, status, received_at, answer_by, assigned_to, assigned_at, answer, answered_at, closed_at) SELECT id, number, account_id, person_id, category, subject, body, status, received_at, answer_by, assigned_to, assigned_at, answer, answered_at, closed_at FROM portal_petitions;
-- The one table referring to petitions is made again with them.
CREATE TABLE petition_faqs_next (
    petition_id BIGINT PRIMARY KEY REFERENCES portal_petitions_next(id),
    item_id BIGINT NOT NULL REFERENCES content_items(id)
);
INSERT INTO petition_faqs_next (petition_id, item_id) SELECT petition_id, item_id FROM petition_faqs;
DROP TABLE petition_faqs;
DROP TABLE portal_petitions;
ALTER TABLE portal_petitions_next RENAME TO portal_petitions;
ALTER TABLE petition_faqs_next RENAME TO petition_faqs;
CREATE INDEX portal_petitions_open ON portal_petitions(status, answer_by);
CREATE INDEX portal_petitions_account ON portal_petitions(account_id, id);

-- Attachments: PDF, JPEG or PNG as their bytes show, kept in the database
-- (outside any web root, in every backup), reached only by the sender and
-- the officers who may read the petition.
CREATE TABLE portal_petition_files (
    id INTEGER PRIMARY KEY,
    petition_id BIGINT NOT NULL REFERENCES portal_petitions(id),
    -- the name shown and given to downloads (the extension the bytes have)
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX portal_petition_files_petition ON portal_petition_files(petition_id, id);
