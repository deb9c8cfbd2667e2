-- Record linkage in the registry (issue 8): candidate pairs found by a scan
-- or an import, the reviewers' decisions (remembered, so a rejected pair is
-- not proposed again), and merges with what is needed to undo them.

CREATE TABLE match_pairs (
    id INTEGER PRIMARY KEY,
    -- Always a_id < b_id, so that a pair exists once.
    a_id BIGINT NOT NULL REFERENCES persons(id),
    b_id BIGINT NOT NULL REFERENCES persons(id),
    probability DOUBLE PRECISION NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    -- JSON array of {field, level, outcome, weight}.
    explanation TEXT NOT NULL DEFAULT '[]',
    -- scan or import:<id>
    found_by TEXT NOT NULL,
    -- pending, skipped, accepted (merged), rejected
    status TEXT NOT NULL DEFAULT 'pending',
    -- Commune (new code) of either record, for the reviewers' filter.
    commune_a TEXT,
    commune_b TEXT,
    decided_by BIGINT,
    decided_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (a_id, b_id)
);
CREATE INDEX match_pairs_status ON match_pairs(status, probability);

CREATE TABLE merges (
    id INTEGER PRIMARY KEY,
    kept_id BIGINT NOT NULL REFERENCES persons(id),
    merged_id BIGINT NOT NULL REFERENCES persons(id),
    pair_id BIGINT,
    -- Versions of both records just before and just after the merge.
    kept_version_before BIGINT NOT NULL,
    merged_version_before BIGINT NOT NULL,
    kept_version_after BIGINT NOT NULL,
    merged_version_after BIGINT NOT NULL,
    -- JSON {"sources":[ids],"relatives":[ids],"associations":[ids]} moved to the kept record.
    moved TEXT NOT NULL DEFAULT '{}',
    -- JSON {field: "kept"|"merged"} as chosen.
    choices TEXT NOT NULL DEFAULT '{}',
    merged_by BIGINT,
    merged_at TEXT NOT NULL,
    undone_by BIGINT,
    undone_at TEXT
);
CREATE INDEX merges_kept ON merges(kept_id);
CREATE INDEX merges_merged ON merges(merged_id);

-- What the linkage made of an import's people after its commit: new, the
-- same as someone already in the registry, or possibly the same (queued).
ALTER TABLE imports ADD COLUMN match_new BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN match_same BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN match_possible BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN match_status TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN match_merged BIGINT NOT NULL DEFAULT 0;

-- Re-verification visits after a police / Fatherland Front reconciliation
-- (survey plan: households are visited again where the lists disagree).
CREATE TABLE verification_visits (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    survey_round TEXT NOT NULL DEFAULT '',
    -- police, fatherland_front, both, disputed
    result TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    visited_on TEXT NOT NULL,
    recorded_by BIGINT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX verification_visits_person ON verification_visits(person_id);
