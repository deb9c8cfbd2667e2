DROP TABLE verification_visits;
ALTER TABLE imports DROP COLUMN match_merged;
ALTER TABLE imports DROP COLUMN match_status;
ALTER TABLE imports DROP COLUMN match_possible;
ALTER TABLE imports DROP COLUMN match_same;
ALTER TABLE imports DROP COLUMN match_new;
DROP TABLE merges;
DROP TABLE match_pairs;
