//! Domain of Kiều Bào: the vocabulary of the registry of people abroad and the rules
//! that hold whatever the storage or the transport.
//!
//! This crate is pure: no I/O, no clock, no random numbers. Callers pass those in.

pub mod age;
pub mod dates;
pub mod geo;
pub mod money;
pub mod sectors;
pub mod source_fields;
pub mod text;
pub mod types;
pub mod words;

pub use types::*;
