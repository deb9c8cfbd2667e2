-- Where the list is in an imported file: the sheets it has, the row holding
-- the header (as the spreadsheet numbers it), the first rows of the sheet
-- (to pick another header row), and the file itself until the import is
-- committed or undone, so any server can read it again with another sheet
-- or header row.
ALTER TABLE imports ADD COLUMN sheets TEXT NOT NULL DEFAULT '[]';
ALTER TABLE imports ADD COLUMN header_row BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN header_rows BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN head_rows TEXT NOT NULL DEFAULT '[]';

CREATE TABLE import_files (
    import_id BIGINT PRIMARY KEY REFERENCES imports(id) ON DELETE CASCADE,
    content BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
