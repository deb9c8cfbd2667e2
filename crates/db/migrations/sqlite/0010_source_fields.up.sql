-- Each department's own fields (issue 19): the typed values a list's own
-- columns gave, one row per source row and field. `text_value` is the
-- canonical form statistics group by (text as written, partial ISO date,
-- year or number, ISO country code, choice code); `folded_value` is what
-- "contains" filters search; `num_value` holds years and numbers and
-- `date_value` partial ISO dates (they sort as text), for range filters.
CREATE TABLE person_source_fields (
    source_id BIGINT NOT NULL REFERENCES person_sources(id),
    field_key TEXT NOT NULL,
    text_value TEXT NOT NULL,
    folded_value TEXT NOT NULL,
    num_value REAL,
    date_value TEXT,
    PRIMARY KEY (source_id, field_key)
);
CREATE INDEX person_source_fields_text ON person_source_fields(field_key, text_value);
CREATE INDEX person_source_fields_num ON person_source_fields(field_key, num_value);
CREATE INDEX person_source_fields_date ON person_source_fields(field_key, date_value);
