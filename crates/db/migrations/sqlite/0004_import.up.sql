-- Imports of agencies' lists: one row per uploaded file, its rows as read
-- (with their validation messages), and the column mapping remembered per source.

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    survey_round TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    sheet TEXT NOT NULL DEFAULT '',
    headers TEXT NOT NULL DEFAULT '[]',
    mapping TEXT NOT NULL DEFAULT '[]',
    -- reading, validating, validated, committing, committed, undone, failed
    status TEXT NOT NULL,
    progress_done BIGINT NOT NULL DEFAULT 0,
    progress_total BIGINT NOT NULL DEFAULT 0,
    total_rows BIGINT NOT NULL DEFAULT 0,
    valid_rows BIGINT NOT NULL DEFAULT 0,
    error_rows BIGINT NOT NULL DEFAULT 0,
    warning_rows BIGINT NOT NULL DEFAULT 0,
    created_persons BIGINT NOT NULL DEFAULT 0,
    -- Message key (and argument) when the file was refused or a step failed.
    failure TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    committed_at TEXT,
    undone_at TEXT,
    undo_report TEXT NOT NULL DEFAULT ''
);
CREATE INDEX imports_source ON imports(source, id);

CREATE TABLE import_rows (
    import_id BIGINT NOT NULL REFERENCES imports(id),
    row_no BIGINT NOT NULL,
    -- JSON array of the cells as text.
    cells TEXT NOT NULL,
    -- JSON of the validated record; NULL when the row has errors.
    data TEXT,
    -- JSON arrays of {column, field, code, arg}.
    errors TEXT NOT NULL DEFAULT '[]',
    warnings TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (import_id, row_no)
);

CREATE TABLE import_mappings (
    source TEXT PRIMARY KEY,
    mapping TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX person_sources_import ON person_sources(import_id);
