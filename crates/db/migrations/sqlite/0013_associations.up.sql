-- Associations (issue 22 §1): hometown associations (hội đồng hương), business,
-- professional, student and labour associations abroad, with their leaders,
-- members, contacts and activities. The table of migration 0001 held a name
-- and a country; it gains the rest, and every change is kept as a version.
ALTER TABLE associations ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
-- hometown, business, professional, student, labour, community, other
ALTER TABLE associations ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
-- ISO date, partial allowed (YYYY, YYYY-MM, YYYY-MM-DD)
ALTER TABLE associations ADD COLUMN founded_on TEXT;
-- active, inactive, dissolved, merged
ALTER TABLE associations ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
-- The record this one was merged into (it answers with a pointer to it).
ALTER TABLE associations ADD COLUMN merged_into BIGINT;
ALTER TABLE associations ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE associations ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE associations ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE associations ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE associations ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE associations ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE associations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE associations ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE associations SET updated_at = created_at;
-- The kind the demo's and agencies' names already say.
UPDATE associations SET kind = 'hometown' WHERE name LIKE 'Hội đồng hương%';
UPDATE associations SET kind = 'business' WHERE name LIKE 'Hội doanh nhân%';
UPDATE associations SET kind = 'student' WHERE name LIKE 'Hội sinh viên%';
UPDATE associations SET kind = 'labour' WHERE name LIKE 'Cộng đồng lao động%';
UPDATE associations SET kind = 'community' WHERE name LIKE 'Hội người Việt Nam%';
CREATE INDEX associations_country ON associations(country);

-- Membership: when the person joined and their role in it.
ALTER TABLE person_associations ADD COLUMN joined_on TEXT;
ALTER TABLE person_associations ADD COLUMN added_at TEXT NOT NULL DEFAULT '';

-- Leaders with their positions and terms, linked to registry people.
CREATE TABLE association_leaders (
    id INTEGER PRIMARY KEY,
    association_id BIGINT NOT NULL REFERENCES associations(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    -- president, vice_president, general_secretary, treasurer, board_member, honorary_president
    position TEXT NOT NULL,
    term_start TEXT,
    term_end TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX association_leaders_assoc ON association_leaders(association_id);
CREATE INDEX association_leaders_person ON association_leaders(person_id);

-- Activities: what, when, and the province's participation ('' = none).
CREATE TABLE association_activities (
    id INTEGER PRIMARY KEY,
    association_id BIGINT NOT NULL REFERENCES associations(id),
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    province_participation TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX association_activities_assoc ON association_activities(association_id, held_on);

-- History: one row per change, with the record as it was after it.
CREATE TABLE association_versions (
    id INTEGER PRIMARY KEY,
    association_id BIGINT NOT NULL REFERENCES associations(id),
    version BIGINT NOT NULL,
    -- created, updated: fields..., member added #N, leader removed #N, merged into #N...
    summary TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    actor TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX association_versions_assoc ON association_versions(association_id, id);
