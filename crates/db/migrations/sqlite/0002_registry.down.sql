DROP INDEX IF EXISTS persons_live_new_commune;
