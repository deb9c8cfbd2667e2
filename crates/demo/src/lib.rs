//! Deterministic generator of realistic synthetic people abroad, for demos, tests
//! and benchmarks.
//!
//! Two modes:
//! - [`people`]: overseas Vietnamese of one province (or of the whole country, when
//!   the caller passes hometowns from every province), with relatives at home,
//!   households and association memberships;
//! - [`list_rows`]: the same people as several agencies' lists would carry them,
//!   with realistic spelling variations and the ground truth (`true_person_id`),
//!   to measure record linkage.
//!
//! Same seed, same output, byte for byte, on every platform: every person is drawn
//! from its own `ChaCha8Rng` stream (keyed by the seed, stream = person key), only
//! fixed-width integer draws are used, and no hash-map order reaches the output.
//! Output is streamed; nothing holds all people in memory.
//!
//! The crate is pure: no files, no clock. Callers pass writers.
//!
//! ```
//! let config = demo::Config::new(42, 3);
//! let first: Vec<demo::Person> = demo::people(&config).collect();
//! assert_eq!(first.len(), 3);
//! assert_eq!(first, demo::people(&config).collect::<Vec<_>>());
//!
//! let mut csv = Vec::new();
//! let rows = demo::write_lists_csv(&mut csv, &demo::ListConfig::new(42, 10)).unwrap();
//! assert!(rows >= 10);
//! assert!(csv.starts_with(b"record_id,source,full_name,"));
//! ```
//!
//! Names and places are synthetic combinations of common parts; any resemblance
//! to a real person is chance. E-mail addresses use the reserved `.example`
//! top-level domain.

mod csv_out;
mod hometown;
mod lists;
mod person;
mod phone;
mod pick;
mod tables;
mod text;

pub use csv_out::{PEOPLE_CSV_HEADER, write_lists_csv, write_people_csv};
pub use hometown::{HometownOption, abbreviate, fallback_hometowns};
pub use lists::{
    DEFAULT_AGENCIES, LIST_CSV_HEADER, ListConfig, ListRow, ListRows, Lists, Variation,
};
pub use person::{Config, Generator, Household, IncomeBracket, Person, RelativeRecord};
pub use phone::PhoneStyle;
pub use tables::{DEFAULT_CATEGORY_WEIGHTS, NATIONAL_CATEGORY_WEIGHTS};
pub use text::strip_diacritics;

/// Streams the configured people in key order, deterministically.
pub fn people(config: &Config) -> impl Iterator<Item = Person> + use<> {
    let generator = Generator::new(config);
    (0..config.people).map(move |key| generator.person(key))
}

/// Streams the rows of the agencies' lists: one list after another, in the
/// configured agency order, people in key order within a list.
pub fn list_rows(config: &ListConfig) -> impl Iterator<Item = ListRow> + use<> {
    ListRows::new(config)
}

#[cfg(test)]
mod tests;
