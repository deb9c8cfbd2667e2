-- Enterprises, investment projects, the catalogue of projects calling for
-- investment, contributions and remittances (issue 22 §2–§3). Money is kept
-- as integer minor units with its ISO 4217 currency, never floats; a
-- value in đồng is computed at the rate an officer entered (kept as exact
-- decimal text) and stored beside it.

-- Enterprises founded or owned by people abroad.
CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    registration_no TEXT NOT NULL DEFAULT '',
    -- VSIC 2018 section letter or two-digit division (domain::sectors)
    sector TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    -- Country of the parent company, ISO 3166 alpha-2
    parent_country TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX enterprises_country ON enterprises(parent_country);

-- Owners, linked to registry people.
CREATE TABLE enterprise_owners (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, person_id)
);
CREATE INDEX enterprise_owners_person ON enterprise_owners(person_id);

-- Investment projects in the province, and the catalogue of projects
-- calling for investment (in_catalogue = 1, with its English text).
CREATE TABLE investment_projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    summary_en TEXT NOT NULL DEFAULT '',
    sector TEXT NOT NULL,
    -- New commune (after 1 July 2025); its old names are shown from the succession table.
    commune_code TEXT NOT NULL,
    registered_capital BIGINT NOT NULL DEFAULT 0,
    realised_capital BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'VND',
    -- Đồng per unit of the currency, entered by the officer; '1' for VND.
    rate_to_vnd TEXT NOT NULL DEFAULT '1',
    registered_vnd BIGINT NOT NULL DEFAULT 0,
    realised_vnd BIGINT NOT NULL DEFAULT 0,
    licence_no TEXT NOT NULL DEFAULT '',
    licence_date TEXT,
    -- proposed, licensed, under_construction, operating, suspended, terminated
    status TEXT NOT NULL DEFAULT 'proposed',
    status_on TEXT NOT NULL,
    in_catalogue BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX investment_projects_commune ON investment_projects(commune_code);
CREATE INDEX investment_projects_status ON investment_projects(status);

-- Investors: a registry person or an enterprise.
CREATE TABLE project_investors (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES investment_projects(id),
    person_id BIGINT REFERENCES persons(id),
    enterprise_id BIGINT REFERENCES enterprises(id),
    added_at TEXT NOT NULL
);
CREATE INDEX project_investors_project ON project_investors(project_id);

-- Every change of status, dated, kept.
CREATE TABLE project_status_changes (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES investment_projects(id),
    status TEXT NOT NULL,
    changed_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX project_status_changes_project ON project_status_changes(project_id, id);

-- Interest a person abroad recorded on the portal in a catalogue project.
CREATE TABLE project_interests (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES investment_projects(id),
    account_id BIGINT NOT NULL,
    person_id BIGINT,
    message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (project_id, account_id)
);

-- Contributions: charity, scholarships, disaster relief, infrastructure.
CREATE TABLE contributions (
    id INTEGER PRIMARY KEY,
    -- person, association or enterprise
    donor_kind TEXT NOT NULL,
    donor_person_id BIGINT REFERENCES persons(id),
    donor_association_id BIGINT REFERENCES associations(id),
    donor_enterprise_id BIGINT REFERENCES enterprises(id),
    -- The donor's country when given (reports by country, a mission's reach).
    donor_country TEXT NOT NULL DEFAULT '',
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    rate_to_vnd TEXT NOT NULL,
    vnd_value BIGINT NOT NULL,
    -- charity, scholarship, disaster_relief, infrastructure, healthcare, other
    purpose TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    contributed_on TEXT NOT NULL,
    in_kind TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contributions_commune ON contributions(commune_code);
CREATE INDEX contributions_country ON contributions(donor_country);

-- Remittances (kiều hối) per person and year: numbers that can be summed.
CREATE TABLE remittances (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    year BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    UNIQUE (person_id, year, currency)
);

-- History of enterprises, projects and contributions: one row per change.
CREATE TABLE investment_versions (
    id INTEGER PRIMARY KEY,
    -- enterprise, project, contribution
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    summary TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    actor TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX investment_versions_entity ON investment_versions(entity, entity_id, id);
