DROP TABLE exchange_items;
DROP TABLE exchanges;
DROP TABLE exchange_uids;
