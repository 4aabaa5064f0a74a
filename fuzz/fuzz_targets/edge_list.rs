//! Any bytes given as an edge-list file are either a graph or an error
//! naming a line: never a panic, and never unbounded memory for one line.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = commsim::graph::read_edge_list(data, Path::new("fuzz.edges"));
});
