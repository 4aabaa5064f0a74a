//! commsim: an agent-based simulator of how online communities grow and die.
//!
//! The library does the work; the `commsim` binary only parses flags, calls
//! [`app`] and prints errors. ARCHITECTURE.md maps the modules and their
//! invariants; MODEL.md states the model's rules.

pub mod app;
pub mod batch;
pub mod compare;
pub mod error;
pub mod explain;
pub mod graph;
pub mod levers;
pub mod model;
pub mod optimise;
pub mod output;
pub mod plot;
pub mod referral;
pub mod rng;
pub mod sample;
pub mod scenario;
pub mod sensitivity;
pub mod serve;
pub mod stats;
pub mod sweep;

pub use error::{Error, Result};
