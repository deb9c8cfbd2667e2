DROP INDEX person_sources_import;
DROP TABLE import_mappings;
DROP TABLE import_rows;
DROP TABLE imports;
