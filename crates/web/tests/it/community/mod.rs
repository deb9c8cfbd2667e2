//! Community and cooperation: associations (issue 22 §1), enterprises,
//! investment projects, contributions and remittances (§2–§3).

mod associations;
mod commendations;
mod coop_reports;
mod events;
mod experts;
mod imports;
mod investment;
mod restore;
