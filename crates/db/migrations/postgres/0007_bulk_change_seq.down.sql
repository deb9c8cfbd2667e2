CREATE INDEX persons_folded ON persons(full_name_folded text_pattern_ops);
DROP INDEX persons_folded_id;
