//! Community and cooperation (issue 22): associations abroad with their
//! leaders, members, contacts and activities (§1); enterprises, investment
//! projects and the catalogue of projects calling for investment (§2);
//! contributions and remittances (§3), with their reports. Events and
//! letters are to come in the same area.

pub mod associations;
pub mod contributions;
pub mod demo;
pub mod enterprises;
pub mod investment;
pub mod investment_demo;
pub mod investment_reports;
pub mod projects;
