-- Who sent a record: the accepted items of received exchange files, found by
-- the record they wrote (an export names the sender of each record it
-- carries, issue 25 §2).
CREATE INDEX exchange_items_record ON exchange_items(record_type, entity_id);
