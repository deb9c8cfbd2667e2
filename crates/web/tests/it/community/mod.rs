//! Community and cooperation: associations (issue 22 §1).

mod associations;
mod events;
mod experts;
