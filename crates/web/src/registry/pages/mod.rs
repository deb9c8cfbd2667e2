//! The registry's HTML pages.

pub mod people;
pub mod search;
