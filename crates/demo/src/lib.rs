//! Deterministic generator of realistic synthetic people abroad, for demos, tests and benchmarks.
