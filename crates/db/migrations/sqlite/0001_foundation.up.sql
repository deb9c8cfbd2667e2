-- Foundation: accounts, sessions, tokens, audit, rate limits, the registry.
-- Timestamps are RFC 3339 UTC text ("2025-07-01T00:00:00.000000Z"): they sort as text.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    recovery_codes TEXT NOT NULL DEFAULT '[]',
    person_id BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Jurisdiction of an account: kind is new_commune, legacy_commune,
-- legacy_district, country, agency or association.
CREATE TABLE user_scopes (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, code)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    mfa_pending BIGINT NOT NULL DEFAULT 0,
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);

-- Append-only, hash-chained (each row's hash covers the previous row's hash).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    entity TEXT NOT NULL DEFAULT '',
    entity_id TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log(actor_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Fixed-window counters shared by every server (sign-in throttling).
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);

-- The registry: people abroad (kieu bao).
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    full_name_folded TEXT NOT NULL,
    other_names TEXT NOT NULL DEFAULT '[]',
    gender TEXT NOT NULL DEFAULT 'unknown',
    birth_date TEXT,
    birth_year BIGINT,
    nationalities TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    generation TEXT,
    hometown_text TEXT NOT NULL DEFAULT '',
    hometown_new_code TEXT,
    hometown_new_province TEXT,
    hometown_legacy_code TEXT,
    hometown_legacy_district TEXT,
    hometown_legacy_province TEXT,
    country TEXT NOT NULL,
    region_abroad TEXT NOT NULL DEFAULT '',
    city_abroad TEXT NOT NULL DEFAULT '',
    address_abroad TEXT NOT NULL DEFAULT '',
    departure_year BIGINT,
    passport_no TEXT NOT NULL DEFAULT '',
    id_no TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    social TEXT NOT NULL DEFAULT '',
    occupation TEXT NOT NULL DEFAULT '',
    education TEXT NOT NULL DEFAULT '',
    expertise TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    enterprise TEXT NOT NULL DEFAULT '',
    income_bracket TEXT NOT NULL DEFAULT '',
    remittance TEXT NOT NULL DEFAULT '',
    religion TEXT NOT NULL DEFAULT '',
    ethnicity TEXT NOT NULL DEFAULT '',
    health TEXT NOT NULL DEFAULT '',
    legal_matters TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    consent TEXT NOT NULL DEFAULT 'unknown',
    verification TEXT NOT NULL DEFAULT 'unverified',
    notes TEXT NOT NULL DEFAULT '',
    extra TEXT NOT NULL DEFAULT '{}',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by BIGINT,
    updated_by BIGINT,
    deleted_at TEXT,
    deleted_reason TEXT
);
CREATE INDEX persons_new_commune ON persons(hometown_new_code, id);
CREATE INDEX persons_legacy_commune ON persons(hometown_legacy_code, id);
CREATE INDEX persons_legacy_district ON persons(hometown_legacy_district, id);
CREATE INDEX persons_country ON persons(country, id);
CREATE INDEX persons_category ON persons(category, id);
CREATE INDEX persons_folded ON persons(full_name_folded);

-- Every saved version of a person, for history and restore.
CREATE TABLE person_versions (
    person_id BIGINT NOT NULL REFERENCES persons(id),
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by BIGINT,
    changed_by_name TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (person_id, version)
);

-- Where a person's data came from (agency, list, survey round, row).
CREATE TABLE person_sources (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    agency TEXT NOT NULL,
    list_name TEXT NOT NULL DEFAULT '',
    survey_round TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL DEFAULT '',
    sheet TEXT NOT NULL DEFAULT '',
    row_no BIGINT,
    import_id BIGINT,
    added_at TEXT NOT NULL
);
CREATE INDEX person_sources_person ON person_sources(person_id);
CREATE INDEX person_sources_agency ON person_sources(agency, survey_round);

-- Households at home with relatives abroad (the survey unit, seed 001).
CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    head_name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    new_commune_code TEXT,
    legacy_commune_code TEXT,
    legacy_district_code TEXT,
    phone TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX households_new_commune ON households(new_commune_code);
CREATE INDEX households_legacy_commune ON households(legacy_commune_code);

-- Relatives at home (than nhan) linking a household member to a person abroad.
CREATE TABLE relatives (
    id INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    full_name TEXT NOT NULL,
    full_name_folded TEXT NOT NULL,
    relationship TEXT NOT NULL,
    birth_year BIGINT,
    phone TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX relatives_person ON relatives(person_id);
CREATE INDEX relatives_household ON relatives(household_id);

-- Hometown associations and other diaspora organisations (seed 000).
CREATE TABLE associations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    country TEXT NOT NULL,
    city TEXT NOT NULL DEFAULT '',
    leader TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE person_associations (
    person_id BIGINT NOT NULL REFERENCES persons(id),
    association_id BIGINT NOT NULL REFERENCES associations(id),
    role TEXT NOT NULL DEFAULT 'member',
    PRIMARY KEY (person_id, association_id)
);
CREATE INDEX person_associations_assoc ON person_associations(association_id);

-- Extra fields an administrator defines without a code change.
CREATE TABLE custom_fields (
    key TEXT PRIMARY KEY,
    label_vi TEXT NOT NULL,
    label_en TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text',
    sensitive BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE survey_rounds (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    started_on TEXT,
    created_at TEXT NOT NULL
);
