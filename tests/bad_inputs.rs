//! The corpus of bad inputs: every case under `tests/bad/` must exit with
//! code 2, print a message holding the case's expected text, and write
//! nothing.
//!
//! A case is one `*.case` file:
//!
//! ```text
//! # What the case is about (free text, lines starting with `#`).
//! args: run bad.toml
//! expect: field `days`
//! setup: run small.toml --out res -q
//! --- bad.toml
//! days = 0
//! --- ! res/daily.csv
//! damaged after the setup
//! ```
//!
//! - `args:` the command line (split on spaces), run in a fresh folder.
//! - `expect:` text stderr must contain (repeatable; every one must appear).
//! - `setup:` commands run first, each expected to exit 0 (repeatable).
//! - `--- NAME` starts a file written into the folder before the setup;
//!   `--- ! NAME` one written after it (to damage what the setup wrote).
//!   In a file, `\xHH` writes the byte HH, so non-UTF-8 input can be written.
//! - Every case's folder also holds `small.toml` (the corpus's
//!   `_small.toml`), a valid scenario to start from.
//!
//! After the command, the folder must hold exactly what it held before it.
//! A crash found by the fuzz targets in `fuzz/` becomes a case here.

use std::path::{Path, PathBuf};

use crate::util::{commsim, describe, read_results};

/// One parsed case.
struct Case {
    name: String,
    args: Vec<String>,
    expect: Vec<String>,
    setup: Vec<Vec<String>>,
    before: Vec<(String, Vec<u8>)>,
    after: Vec<(String, Vec<u8>)>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad")
}

/// `\xHH` escapes to bytes; everything else as it is.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') && i + 3 < bytes.len() + 1 {
            if let Ok(b) = u8::from_str_radix(&text[i + 2..i + 4], 16) {
                out.push(b);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn parse(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut case = Case {
        name: name.clone(),
        args: Vec::new(),
        expect: Vec::new(),
        setup: Vec::new(),
        before: Vec::new(),
        after: Vec::new(),
    };
    // (is-after, file name, lines)
    let mut file: Option<(bool, String, Vec<&str>)> = None;
    let finish = |file: Option<(bool, String, Vec<&str>)>, case: &mut Case| {
        if let Some((after, fname, lines)) = file {
            let mut body = lines.join("\n");
            if !lines.is_empty() {
                body.push('\n');
            }
            let entry = (fname, unescape(&body));
            if after {
                case.after.push(entry);
            } else {
                case.before.push(entry);
            }
        }
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("--- ") {
            finish(file.take(), &mut case);
            file = Some(match rest.strip_prefix("! ") {
                Some(n) => (true, n.trim().to_string(), Vec::new()),
                None => (false, rest.trim().to_string(), Vec::new()),
            });
        } else if let Some((_, _, lines)) = &mut file {
            lines.push(line);
        } else if let Some(a) = line.strip_prefix("args:") {
            case.args = a.split_whitespace().map(str::to_string).collect();
        } else if let Some(e) = line.strip_prefix("expect:") {
            case.expect.push(e.trim().to_string());
        } else if let Some(s) = line.strip_prefix("setup:") {
            case.setup
                .push(s.split_whitespace().map(str::to_string).collect());
        } else {
            assert!(
                line.starts_with('#') || line.trim().is_empty(),
                "{name}: unexpected line {line:?}"
            );
        }
    }
    finish(file.take(), &mut case);
    assert!(!case.args.is_empty(), "{name}: no `args:` line");
    assert!(!case.expect.is_empty(), "{name}: no `expect:` line");
    case
}

fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
}

/// Runs one case; returns a description of what went wrong, if anything.
fn run_case(case: &Case, small: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("small.toml"), small).unwrap();
    write_all(d, &case.before);
    for cmd in &case.setup {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let out = commsim(&args, d);
        if out.status.code() != Some(0) {
            return Some(format!("setup {cmd:?} failed\n{}", describe(&out)));
        }
    }
    write_all(d, &case.after);
    let before = read_results(d);
    let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
    let out = commsim(&args, d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2) {
        return Some(format!("exit code is not 2\n{}", describe(&out)));
    }
    for e in &case.expect {
        if !stderr.contains(e.as_str()) {
            return Some(format!("stderr does not mention {e:?}\n{}", describe(&out)));
        }
    }
    if stderr.contains("panicked") {
        return Some(format!("panic\n{}", describe(&out)));
    }
    let after = read_results(d);
    if after != before {
        let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
        let changed: Vec<&String> = before
            .keys()
            .filter(|k| after.get(*k) != before.get(*k))
            .collect();
        return Some(format!(
            "files written: added {added:?}, changed or removed {changed:?}"
        ));
    }
    None
}

#[test]
fn every_bad_input_in_the_corpus_exits_2_names_the_fault_and_writes_nothing() {
    let dir = corpus_dir();
    let small = std::fs::read(dir.join("_small.toml")).unwrap();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 60,
        "the corpus has {} cases; it should keep at least 60",
        paths.len()
    );
    let cases: Vec<Case> = paths.iter().map(|p| parse(p)).collect();
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<_> = cases
            .chunks(cases.len().div_ceil(4))
            .map(|chunk| {
                let small = &small;
                s.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|c| run_case(c, small).map(|why| format!("{}: {why}", c.name)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
