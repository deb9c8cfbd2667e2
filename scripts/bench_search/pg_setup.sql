-- The PostgreSQL peer: unaccent + pg_trgm over the names (and other names).
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION bench_f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower($1)) $$;
CREATE INDEX IF NOT EXISTS bench_persons_name_trgm ON persons
    USING gin (bench_f_unaccent(full_name || ' ' || other_names) gin_trgm_ops);
ANALYZE persons;
