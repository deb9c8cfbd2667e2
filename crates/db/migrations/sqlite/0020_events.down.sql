DROP TABLE commendations;
DROP TABLE expert_visits;
DROP TABLE person_expertise;
DROP TABLE event_versions;
DROP TABLE event_invitees;
DROP TABLE events;
