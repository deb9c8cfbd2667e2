//! Intake: agencies' lists come in (`import`: read, map, validate, commit,
//! undo), duplicates are found and reviewed (`matching`: scan, queue,
//! merge, unmerge), and two lists of a survey round are compared
//! (`reconcile`: conflicts, visits, growth).

pub mod import;
pub mod matching;
pub mod reconcile;
pub mod scan_jobs;
