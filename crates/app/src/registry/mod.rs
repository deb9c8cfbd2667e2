//! The registry: people abroad (*kiều bào*), their households and relatives
//! at home, the search over them and the home page's overview. Every other
//! area may call it.

pub mod households;
pub mod overview;
pub mod people;
pub mod relatives;
pub mod search;
pub mod values;

/// The expected version of `If-Match: *` (RFC 9110 §13.1.1): any current
/// version of a record that exists — the caller knowingly overwrites.
pub const ANY_VERSION: i64 = i64::MIN;

/// Whether a change made against `expected` may apply to a record now at
/// `current` (optimistic locking; [`ANY_VERSION`] matches every version).
pub fn version_matches(expected: i64, current: i64) -> bool {
    expected == ANY_VERSION || expected == current
}
