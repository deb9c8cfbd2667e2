-- SQLite's part of this step (its insert trigger skips rows that bring their
-- own change sequence number) has no PostgreSQL counterpart: the BEFORE
-- trigger of 0003 numbers every row from the sequence.
--
-- The folded-name index carries the id: while an import's transaction is
-- open, the check "likely already in the registry" (from other connections)
-- asks only for ids below the import's first, so the index skips the
-- import's own, not yet committed rows instead of visiting each in the heap
-- (which made a 1M-row import quadratic). Still serves prefix LIKE.
CREATE INDEX persons_folded_id ON persons(full_name_folded text_pattern_ops, id);
DROP INDEX persons_folded;
