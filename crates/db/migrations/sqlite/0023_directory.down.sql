ALTER TABLE portal_requests DROP COLUMN purpose;
DROP TABLE directory_reports;
DROP TABLE directory_blocks;
DROP TABLE directory_messages;
DROP TABLE directory_entries;
