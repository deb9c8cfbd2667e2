//! Accounts: sign-in, sessions and tokens, two-factor, the profile, user
//! administration and the audit export.

mod auth;
mod profile;
