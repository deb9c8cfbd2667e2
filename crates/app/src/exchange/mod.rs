//! Exchange with other systems (issue 25): the exchange format and its
//! files, sent (`export`) and received (`receive`), kept (`files`); the
//! change feed other systems follow (`changes`) and the webhooks that tell
//! them (`webhooks`).

pub mod changes;
pub mod demo;
pub mod export;
pub mod files;
pub mod format;
pub mod gauges;
mod kinds;
pub mod log;
pub mod receive;
pub mod webhooks;
