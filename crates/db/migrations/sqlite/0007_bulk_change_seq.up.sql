-- Bulk loads (imports) number their rows' change sequence themselves, in
-- order, under the write lock; the insert trigger then has nothing to do.
-- Rows inserted without a number (change_seq left at its default 0) still
-- take the next one from the trigger. Saves an UPDATE of every imported row.
DROP TRIGGER persons_change_seq_insert;
CREATE TRIGGER persons_change_seq_insert AFTER INSERT ON persons
WHEN NEW.change_seq = 0
BEGIN
    UPDATE persons SET change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM persons)
    WHERE id = NEW.id;
END;
