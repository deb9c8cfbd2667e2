//! The portal for people abroad (issue 23): their own accounts and
//! sessions (§1), claiming their record (§2), reading and correcting it
//! (§3), consent per purpose (§4) and data-subject requests with the
//! calendar their deadlines are counted by (§5), the directory where people
//! who opted in find each other (§6), and petitions (§7).
//!
//! A person abroad reaches only their own things: every query here is
//! bound to the account of the session, and the record through
//! `access::portal_actor` (jurisdiction: their own record). Staff decide
//! claims and corrections through `access` like every other staff action.

pub mod accounts;
pub mod calendar;
pub mod changes;
pub mod claims;
pub mod consent_acts;
pub mod consents;
pub mod demo;
pub mod directory;
pub mod petitions;
pub mod requests;
