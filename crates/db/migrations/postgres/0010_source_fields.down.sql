DROP TABLE person_source_fields;
