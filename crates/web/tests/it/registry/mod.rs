//! The registry: people, households and relatives, custom fields, search,
//! and the browser flows of the record pages.

mod browser;
mod fields;
mod households;
pub(crate) mod people;
mod search;
