-- Saved statistics reports (issue 9): a name and the pivot's specification
-- (rows, columns, measure, filters as JSON). Figures are computed when the
-- report is opened, within the opener's jurisdiction, so nothing personal
-- is stored here.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_by BIGINT,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX reports_name ON reports(name);
