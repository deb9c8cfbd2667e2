//! Exchange with other systems (issue 25): the change feed other systems
//! follow (`changes`).

pub mod changes;
