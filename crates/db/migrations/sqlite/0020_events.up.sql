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
