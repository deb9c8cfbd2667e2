-- Exchange files (issue 25 §1–§2). A record's identifier in the exchange
-- format is a UUID: the province's own records take one derived from the
-- database's namespace (the setting `exchange_namespace`, made on first
-- use) and the record's id, so the 1M rows of a registry need no new
-- column and no rewrite; a record received from elsewhere keeps the
-- sender's identifier, kept here (and answered in the next export).
CREATE TABLE exchange_uids (
    uid TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX exchange_uids_entity ON exchange_uids(entity, entity_id);

-- Every exchange in or out: who, when, the file (SHA-256, size, where it is
-- kept), what it held.
CREATE TABLE exchanges (
    id INTEGER PRIMARY KEY,
    -- export, import
    direction TEXT NOT NULL,
    -- jsonl, xlsx
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- relative to the exchange directory; '' when the file was not kept
    stored_path TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',
    size_bytes BIGINT NOT NULL DEFAULT 0,
    -- the filters of an export, the header of a received file (JSON)
    filters TEXT NOT NULL DEFAULT '{}',
    -- the province that sent a received file (its header)
    sender TEXT NOT NULL DEFAULT '',
    records BIGINT NOT NULL DEFAULT 0,
    new_records BIGINT NOT NULL DEFAULT 0,
    changed BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    conflicts BIGINT NOT NULL DEFAULT 0,
    refused BIGINT NOT NULL DEFAULT 0,
    -- running, done, failed (exports); review, done (imports)
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by BIGINT,
    created_by_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX exchanges_created ON exchanges(direction, id);

-- The records of a received file, each matched against the registry:
-- new (no record), same (its own record, nothing differs), change (its own
-- record, some fields differ), conflict (another record the linkage model
-- finds likely the same person), refused (unreadable or invalid).
CREATE TABLE exchange_items (
    id INTEGER PRIMARY KEY,
    exchange_id BIGINT NOT NULL REFERENCES exchanges(id),
    line_no BIGINT NOT NULL,
    record_type TEXT NOT NULL,
    uid TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    entity_id BIGINT,
    probability DOUBLE PRECISION,
    -- the record as received (JSON)
    data TEXT NOT NULL,
    -- the fields that differ: [{"field", "ours", "theirs"}] (JSON)
    diff TEXT NOT NULL DEFAULT '[]',
    problem TEXT NOT NULL DEFAULT '',
    -- pending, accepted, rejected; none for same and refused
    decision TEXT NOT NULL,
    decided_at TEXT,
    decided_by BIGINT
);
CREATE INDEX exchange_items_exchange ON exchange_items(exchange_id, id);
