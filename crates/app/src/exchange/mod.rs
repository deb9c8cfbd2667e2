//! Exchange with other systems (issue 25): the change feed other systems
//! follow (`changes`) and the webhooks that tell them (`webhooks`).

pub mod changes;
pub mod gauges;
pub mod webhooks;
