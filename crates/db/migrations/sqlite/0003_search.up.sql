-- Search index catch-up: every insert or update of a person takes the next
-- change sequence number (SQLite has one writer at a time, so numbers are
-- committed in order). Servers read the rows changed since the last number
-- they saw before answering a search.
ALTER TABLE persons ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
UPDATE persons SET change_seq = id;
CREATE INDEX persons_change_seq ON persons(change_seq);
CREATE TRIGGER persons_change_seq_insert AFTER INSERT ON persons
BEGIN
    UPDATE persons SET change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM persons)
    WHERE id = NEW.id;
END;
CREATE TRIGGER persons_change_seq_update AFTER UPDATE ON persons
WHEN NEW.change_seq = OLD.change_seq
BEGIN
    UPDATE persons SET change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM persons)
    WHERE id = NEW.id;
END;
