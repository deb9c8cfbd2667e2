//! Intake: imports of agencies' lists (and their browser flow), the
//! duplicate review and merges.

mod imports;
mod imports_browser;
mod review;
mod source_fields;
mod values;
