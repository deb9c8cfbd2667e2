-- Petitions completed (issue 23 §7).
--
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

-- Forwarded to a competent body: which one, the day, the number and symbol
-- of the forwarding letter and the letter itself (.docx as generated).
ALTER TABLE portal_petitions ADD COLUMN forwarded_to TEXT NOT NULL DEFAULT '';
ALTER TABLE portal_petitions ADD COLUMN forwarded_on TEXT;
ALTER TABLE portal_petitions ADD COLUMN forward_number TEXT NOT NULL DEFAULT '';
ALTER TABLE portal_petitions ADD COLUMN forward_letter BLOB;
-- Reminder to the assignee near the deadline, escalation to the province
-- once overdue: each at most once.
ALTER TABLE portal_petitions ADD COLUMN reminded_at TEXT;
ALTER TABLE portal_petitions ADD COLUMN escalated_at TEXT;
