DROP TRIGGER persons_change_seq_insert;
CREATE TRIGGER persons_change_seq_insert AFTER INSERT ON persons
BEGIN
    UPDATE persons SET change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM persons)
    WHERE id = NEW.id;
END;
