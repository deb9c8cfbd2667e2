//! Demo content: accounts and generated people, loaded only into an empty database.
