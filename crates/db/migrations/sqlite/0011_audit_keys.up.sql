-- The key that signs each audit row's HMAC ('' for rows written before the
-- chain was keyed, which stay plain SHA-256). The key itself is never in the
-- database: it lives in a file outside it (audit_key_file).
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
