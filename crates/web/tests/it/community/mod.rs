//! Community and cooperation: associations (issue 22 §1).

mod associations;
mod commendations;
mod events;
mod experts;
