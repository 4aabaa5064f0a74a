//! Any text given as a sweep file is either a checked sweep (every point's
//! scenario built and checked) or an error: never a panic. The sweep's
//! `base` resolves against a folder holding `base.toml`, a tiny scenario.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const BASE: &str = "name = \"base\"\ndays = 5\nruns = 2\n[population]\nsize = 50\n\
                    [start]\nmembers = 5\n[[channel]]\nname = \"c\"\ndaily = 2\n\
                    schedule = { start = 1, end = 3 }\n";

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("commsim-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        std::fs::write(dir.join("base.toml"), BASE).expect("base scenario");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Sweeps of very many points spend the fuzzer's time building them.
    if text.len() > 4096 {
        return;
    }
    let _ = commsim::sweep::plan::Sweep::from_text(text, &folder().join("sweep.toml"));
});
