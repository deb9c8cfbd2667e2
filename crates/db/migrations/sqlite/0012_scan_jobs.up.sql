-- The registry's duplicate scan as a background job (issue 20): its state
-- lives here, so that with several servers on one database any of them
-- answers its status, and one scan at a time runs per jurisdiction.
CREATE TABLE scan_jobs (
    id INTEGER PRIMARY KEY,
    -- The jurisdiction scanned (the records the starting account may see).
    scope TEXT NOT NULL,
    -- running, done, failed, interrupted
    status TEXT NOT NULL,
    -- Steps done of the total (reading, comparing, storing).
    done_steps BIGINT NOT NULL DEFAULT 0,
    total_steps BIGINT NOT NULL,
    -- JSON summary of a finished scan.
    summary TEXT,
    -- Message key of a failure.
    failure TEXT,
    started_by BIGINT,
    started_at TEXT NOT NULL,
    -- Renewed by the running server; a stale one means it stopped.
    heartbeat_at TEXT NOT NULL,
    finished_at TEXT
);
-- One running scan per jurisdiction.
CREATE UNIQUE INDEX scan_jobs_running ON scan_jobs(scope) WHERE status = 'running';
