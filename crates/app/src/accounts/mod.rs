//! Accounts: who may sign in and how — passwords and tokens (`secret`),
//! sign-in (`auth`), sessions, the second factor (`mfa`, `totp`), API tokens
//! and the accounts themselves (`users`).

pub mod auth;
pub mod mfa;
pub mod secret;
pub mod sessions;
pub mod tokens;
pub mod totp;
pub mod users;
