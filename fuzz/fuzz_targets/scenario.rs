//! Any text given as a scenario file is either a checked scenario or an
//! error: never a panic. A checked scenario must also read back from its
//! resolved TOML (what the results' scenario.toml holds).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = commsim::scenario::Scenario::from_toml(
        text,
        Path::new("fuzz.toml"),
        Path::new("."),
        "fuzz",
    ) {
        s.check_round_trip()
            .expect("a checked scenario reads back from its resolved TOML");
    }
});
