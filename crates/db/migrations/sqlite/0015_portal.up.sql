-- The portal for people abroad (issue 23 §1–§4): their own accounts and
-- sessions (apart from staff accounts: another cookie, a shorter idle
-- time-out, no role), single-use e-mail tokens, the claim of a registry
-- record, change requests decided field by field, and consent per purpose.
CREATE TABLE portal_accounts (
    id INTEGER PRIMARY KEY,
    -- Lower-cased and trimmed; unique.
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    -- The language e-mails are written in: vi or en.
    lang TEXT NOT NULL DEFAULT 'vi',
    created_at TEXT NOT NULL,
    -- Until the address is confirmed by the link, nobody can sign in.
    confirmed_at TEXT,
    -- The registry record an officer linked (claim confirmed).
    person_id BIGINT REFERENCES persons(id),
    disabled_at TEXT
);
CREATE INDEX portal_accounts_person ON portal_accounts(person_id);

-- Confirmation and password-reset links: only the SHA-256 of the token is
-- kept; each is used once and expires.
CREATE TABLE portal_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    -- confirm, reset
    purpose TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX portal_tokens_account ON portal_tokens(account_id, purpose);

CREATE TABLE portal_sessions (
    id_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX portal_sessions_account ON portal_sessions(account_id);

-- What the person typed to claim or create their record; the candidates
-- the matching engine proposed (for staff only); the officer's decision.
CREATE TABLE portal_claims (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    full_name TEXT NOT NULL,
    -- Partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) or NULL.
    birth_date TEXT,
    gender TEXT NOT NULL DEFAULT '',
    hometown_new_code TEXT,
    hometown_legacy_code TEXT,
    hometown_legacy_district TEXT,
    hometown_text TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL,
    city TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    -- pending, linked, created, refused
    status TEXT NOT NULL DEFAULT 'pending',
    -- JSON: [{"person_id": 1, "score": 12.5}], best first.
    candidates TEXT NOT NULL DEFAULT '[]',
    person_id BIGINT REFERENCES persons(id),
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by BIGINT REFERENCES users(id)
);
CREATE INDEX portal_claims_status ON portal_claims(status, created_at);
CREATE INDEX portal_claims_account ON portal_claims(account_id);

-- A correction the person asked for: one row per request, one per field.
CREATE TABLE portal_changes (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    -- pending, decided
    status TEXT NOT NULL DEFAULT 'pending',
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by BIGINT REFERENCES users(id)
);
CREATE INDEX portal_changes_status ON portal_changes(status, created_at);
CREATE INDEX portal_changes_account ON portal_changes(account_id);

CREATE TABLE portal_change_fields (
    change_id BIGINT NOT NULL REFERENCES portal_changes(id),
    field TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    -- pending, accepted, refused
    decision TEXT NOT NULL DEFAULT 'pending',
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (change_id, field)
);

-- Consent per purpose (Law 91/2025/QH15 art. 9–12; Decree 356/2025): every
-- act of giving or withdrawing is a row, never updated, with its proof:
-- who, when, which version of the text, from which page and address.
CREATE TABLE portal_consents (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    person_id BIGINT REFERENCES persons(id),
    -- keep_record, news, directory, national_sharing
    purpose TEXT NOT NULL,
    text_version TEXT NOT NULL,
    -- given, withdrawn
    action TEXT NOT NULL,
    at TEXT NOT NULL,
    page TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX portal_consents_account ON portal_consents(account_id, purpose, id);
CREATE INDEX portal_consents_person ON portal_consents(person_id);
