//! Exchange with other systems (issue 25): the change feed, files, webhooks.

mod browser;
mod changes;
mod files;
mod metrics;
mod tokens;
mod webhooks;
