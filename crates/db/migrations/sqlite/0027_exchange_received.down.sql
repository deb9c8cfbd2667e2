DROP INDEX exchange_items_record;
