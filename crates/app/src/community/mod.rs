//! Community and cooperation (issue 22): associations abroad with their
//! leaders, members, contacts and activities; events and delegations with
//! invitee lists built from the registry, and their letters in the official
//! format. Enterprises, projects and contributions are to come in the same area.

pub mod associations;
pub mod commendations;
pub mod demo;
pub mod events;
pub mod experts;
pub mod letters;
