DROP TABLE event_versions;
DROP TABLE event_invitees;
DROP TABLE events;
