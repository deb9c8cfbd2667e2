//! Community and cooperation (issue 22): associations abroad with their
//! leaders, members, contacts and activities. Enterprises, projects,
//! contributions, events and letters are to come in the same area.

pub mod associations;
pub mod demo;
