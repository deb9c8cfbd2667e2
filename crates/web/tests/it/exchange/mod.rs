//! Exchange with other systems (issue 25): the change feed.

mod changes;
mod files;
mod metrics;
mod tokens;
mod webhooks;
