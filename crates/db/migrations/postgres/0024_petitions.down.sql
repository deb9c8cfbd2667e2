ALTER TABLE portal_petitions DROP COLUMN escalated_at;
ALTER TABLE portal_petitions DROP COLUMN reminded_at;
ALTER TABLE portal_petitions DROP COLUMN forward_letter;
ALTER TABLE portal_petitions DROP COLUMN forward_number;
ALTER TABLE portal_petitions DROP COLUMN forwarded_on;
ALTER TABLE portal_petitions DROP COLUMN forwarded_to;
DROP TABLE portal_petition_files;
