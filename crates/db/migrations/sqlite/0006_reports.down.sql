DROP INDEX reports_name;
DROP TABLE reports;
