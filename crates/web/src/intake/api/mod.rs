//! Intake's JSON API.

pub mod imports;
pub mod reconcile;
pub mod review;
