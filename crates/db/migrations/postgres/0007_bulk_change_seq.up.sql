-- SQLite only (its insert trigger now skips rows that bring their own change
-- sequence number). On PostgreSQL the BEFORE trigger of 0003 numbers every
-- row from the sequence under the advisory lock, whatever the row brings.
SELECT 1;
