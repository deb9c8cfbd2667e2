DROP TABLE merges;
DROP TABLE match_pairs;
