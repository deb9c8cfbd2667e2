//! Exchange with other systems (issue 25): the change feed.

mod changes;
mod tokens;
mod webhooks;
