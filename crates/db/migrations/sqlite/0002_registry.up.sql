-- Registry lists at scale (issue 5, docs/BENCHMARKS.md): a commune's live
-- people in id order, covering the jurisdiction filter's columns, so that
-- counting and paging a commune of tens of thousands reads the index only.
CREATE INDEX IF NOT EXISTS persons_live_new_commune
    ON persons(hometown_new_code, id, hometown_legacy_code, hometown_legacy_district)
    WHERE deleted_at IS NULL;
