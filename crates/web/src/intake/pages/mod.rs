//! Intake's HTML pages.

pub mod imports;
pub mod reconcile;
pub mod review;
