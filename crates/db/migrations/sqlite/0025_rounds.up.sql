-- Survey rounds declared and signed off (issue 20 §2): the period, the
-- communes and the two lists a round compares; when both agencies have
-- signed its agreed figures the round is locked (later visits and imports
-- go to the next round).
ALTER TABLE survey_rounds ADD COLUMN ends_on TEXT;
-- New commune codes separated by commas; '' = the whole province.
ALTER TABLE survey_rounds ADD COLUMN communes TEXT NOT NULL DEFAULT '';
ALTER TABLE survey_rounds ADD COLUMN list_a TEXT NOT NULL DEFAULT 'police';
ALTER TABLE survey_rounds ADD COLUMN list_b TEXT NOT NULL DEFAULT 'fatherland_front';
ALTER TABLE survey_rounds ADD COLUMN created_by BIGINT;
ALTER TABLE survey_rounds ADD COLUMN locked_at TEXT;

-- One agency's signature on a round's agreed figures (JSON of the totals
-- it signed), once per agency.
CREATE TABLE round_signoffs (
    id INTEGER PRIMARY KEY,
    round_code TEXT NOT NULL REFERENCES survey_rounds(code),
    agency TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    figures TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    UNIQUE (round_code, agency)
);

-- Visits are planned (who goes, by when) before their result is known:
-- state planned | done; a planned visit's result is ''.
ALTER TABLE verification_visits ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
ALTER TABLE verification_visits ADD COLUMN assignee_id BIGINT REFERENCES users(id);
ALTER TABLE verification_visits ADD COLUMN due_on TEXT;
CREATE INDEX verification_visits_round ON verification_visits(survey_round, person_id);
