//! The registry: people abroad (*kiều bào*), their households and relatives
//! at home, the search over them and the home page's overview. Every other
//! area may call it.

pub mod households;
pub mod overview;
pub mod people;
pub mod relatives;
pub mod search;
pub mod values;
