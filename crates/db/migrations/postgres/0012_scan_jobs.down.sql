DROP INDEX scan_jobs_running;
DROP TABLE scan_jobs;
