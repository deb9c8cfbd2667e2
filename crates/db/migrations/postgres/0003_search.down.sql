DROP TRIGGER persons_change_seq ON persons;
DROP FUNCTION persons_next_change_seq();
DROP INDEX persons_change_seq;
DROP SEQUENCE persons_change_seq_seq;
ALTER TABLE persons DROP COLUMN change_seq;
