-- Events, meetings and delegations (issue 22 §5): Tết gatherings "Xuân Quê
-- hương", conferences, youth summer camps, investment promotion, incoming
-- (đoàn vào) and outgoing (đoàn ra) delegations; their invitee lists built
-- from the registry, with each invitee's reply and attendance.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    -- xuan_que_huong, conference, youth_camp, investment_promotion,
    -- incoming_delegation, outgoing_delegation, other
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- ISO days
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    place TEXT NOT NULL DEFAULT '',
    -- Where it is held or the community it visits, ISO alpha-2; '' = in Việt Nam.
    -- A mission manages the events of its countries.
    country TEXT NOT NULL DEFAULT '',
    programme TEXT NOT NULL DEFAULT '',
    -- Members of a delegation (one a line: name, position).
    members TEXT NOT NULL DEFAULT '',
    organiser TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX events_starts ON events(starts_on);
CREATE INDEX events_country ON events(country);

-- Invitees: registry people, with their reply and attendance.
CREATE TABLE event_invitees (
    id INTEGER PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    -- unknown, yes, no
    reply TEXT NOT NULL DEFAULT 'unknown',
    -- unknown, attended, absent
    attendance TEXT NOT NULL DEFAULT 'unknown',
    added_at TEXT NOT NULL,
    UNIQUE (event_id, person_id)
);
CREATE INDEX event_invitees_person ON event_invitees(person_id);

-- History: one row per change, with the event as it was after it.
CREATE TABLE event_versions (
    id INTEGER PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events(id),
    version BIGINT NOT NULL,
    -- created, updated: fields..., invitees added N, reply #N...
    summary TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    actor TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX event_versions_event ON event_versions(event_id, id);

-- Experts, intellectuals and businesspeople (issue 22 §4): fields of
-- expertise from a controlled list and qualifications, on the person.
CREATE TABLE person_expertise (
    person_id BIGINT PRIMARY KEY REFERENCES persons(id),
    -- comma-separated codes: medicine, engineering, information_technology...
    fields TEXT NOT NULL DEFAULT '',
    qualifications TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

-- Their visits and programmes in the province: "experts received this year".
CREATE TABLE expert_visits (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    host_agency TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    follow_up TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX expert_visits_person ON expert_visits(person_id);
CREATE INDEX expert_visits_starts ON expert_visits(starts_on);

-- Commendations (issue 22 §7, khen thưởng): a proposal, then the decision
-- (number and date), the level, and the recipient: a person or an association.
CREATE TABLE commendations (
    id INTEGER PRIMARY KEY,
    person_id BIGINT REFERENCES persons(id),
    association_id BIGINT REFERENCES associations(id),
    -- provincial_certificate, chairman_certificate, ministry_certificate,
    -- committee_certificate, prime_minister_certificate, other
    level TEXT NOT NULL,
    reason TEXT NOT NULL,
    proposed_on TEXT NOT NULL,
    -- proposed, approved, refused
    status TEXT NOT NULL DEFAULT 'proposed',
    decision_number TEXT NOT NULL DEFAULT '',
    decision_date TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX commendations_person ON commendations(person_id);
CREATE INDEX commendations_association ON commendations(association_id);
