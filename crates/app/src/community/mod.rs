//! Community and cooperation (issue 22): associations abroad with their
//! leaders, members, contacts and activities (§1); enterprises, investment
//! projects and the catalogue of projects calling for investment (§2);
//! contributions and remittances (§3), with their reports; events and
//! delegations with invitee lists built from the registry, and their
//! letters in the official format (§5–§6); experts' visits (§4) and
//! commendations (§7).

pub mod associations;
pub mod commendations;
pub mod contributions;
pub mod cooperation_reports;
pub mod demo;
pub mod donors;
pub mod enterprises;
pub mod events;
pub mod experts;
pub mod imports;
pub mod investment;
pub mod investment_demo;
pub mod investment_reports;
pub mod letters;
pub mod projects;
