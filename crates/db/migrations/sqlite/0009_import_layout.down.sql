DROP TABLE import_files;
ALTER TABLE imports DROP COLUMN head_rows;
ALTER TABLE imports DROP COLUMN header_rows;
ALTER TABLE imports DROP COLUMN header_row;
ALTER TABLE imports DROP COLUMN sheets;
