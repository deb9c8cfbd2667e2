-- Search index catch-up: every insert or update of a person takes the next
-- change sequence number. The number is drawn under the audit chain's
-- transaction lock (7113001, which person writes take anyway), so numbers
-- commit in order and a server that has read up to N never misses a smaller
-- one committed later.
ALTER TABLE persons ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE SEQUENCE persons_change_seq_seq;
UPDATE persons SET change_seq = id;
SELECT setval('persons_change_seq_seq', GREATEST((SELECT COALESCE(MAX(id), 0) FROM persons), 1));
CREATE INDEX persons_change_seq ON persons(change_seq);
CREATE FUNCTION persons_next_change_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7113001);
    NEW.change_seq := nextval('persons_change_seq_seq');
    RETURN NEW;
END;
$$;
CREATE TRIGGER persons_change_seq BEFORE INSERT OR UPDATE ON persons
    FOR EACH ROW EXECUTE FUNCTION persons_next_change_seq();
