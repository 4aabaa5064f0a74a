//! commsim's integration tests: one binary, one module per area.
//!
//! Run with `cargo test --release` (the statistical tests simulate large
//! populations and are slow in debug builds).

mod bad_inputs;
mod browser;
mod charts;
mod claims;
mod cli;
mod compare;
mod golden;
mod handout;
mod operator;
mod optimise;
mod properties;
mod reference;
mod regression;
mod reports;
mod serve;
mod slurm;
mod sweep;
mod util;
