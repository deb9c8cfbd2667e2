DROP TRIGGER persons_change_seq_update;
DROP TRIGGER persons_change_seq_insert;
DROP INDEX persons_change_seq;
ALTER TABLE persons DROP COLUMN change_seq;
