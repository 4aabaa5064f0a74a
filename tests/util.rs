//! Helpers shared by the integration-test modules: running the `commsim`
//! binary, a tiny scenario that runs in milliseconds, writing input files,
//! and reading or listing result folders for comparison.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test, built by cargo for this test target.
pub const BIN: &str = env!("CARGO_BIN_EXE_commsim");

/// A tiny scenario that runs in a few milliseconds: 300 people on a
/// Barabási–Albert graph (m = 2), 4 runs of 20 days, one channel.
///
/// Lines that tests rewrite with [`small_with`] are kept on their own:
/// `days = 20`, `size = 300` and the `graph = ...` line.
pub const SMALL: &str = r#"# A tiny scenario for the integration tests.
name = "small"
description = "Tiny test scenario"
days = 20
runs = 4
seed = 2

[population]
size = 300
graph = { model = "barabasi-albert", m = 2 }

[start]
members = 10

[[channel]]
name = "poster"
daily = 5
schedule = { start = 1, end = 10 }
cost_per_join = 1.0
"#;

/// The `graph = ...` line of [`SMALL`], for tests that swap the graph.
pub const SMALL_GRAPH_LINE: &str = r#"graph = { model = "barabasi-albert", m = 2 }"#;

/// [`SMALL`] with one piece of text replaced; panics if `from` is not in it,
/// so that a changed [`SMALL`] cannot silently turn a test into a no-op.
pub fn small_with(from: &str, to: &str) -> String {
    assert!(
        SMALL.contains(from),
        "SMALL does not contain {from:?}; update the test"
    );
    SMALL.replacen(from, to, 1)
}

/// Runs `commsim` with `args` in the working directory `cwd`.
pub fn commsim(args: &[&str], cwd: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"))
}

/// A path as a `&str` argument (temporary folders have UTF-8 paths).
pub fn arg(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
}

/// Writes `text` to `dir/name` (creating parent folders) and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// Every file under `dir` (recursively), keyed by its path relative to
/// `dir` with `/` separators, with its bytes.
pub fn read_results(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for rel in listing(dir) {
        let path = dir.join(&rel);
        if path.is_file() {
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            out.insert(rel, bytes);
        }
    }
    out
}

/// Relative paths of everything (files and folders) under `dir`, recursively.
/// Panics if `dir` cannot be read.
pub fn listing(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("entries lie under the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(rel);
            if path.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// Stdout and stderr of a finished command, for failure messages.
pub fn describe(output: &Output) -> String {
    format!(
        "exit status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Asserts that the command exited with `code` and that its stderr contains
/// every needle; prints stdout and stderr when it did not.
pub fn check(output: &Output, code: i32, needles: &[&str]) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "wrong exit code\n{}",
        describe(output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stderr does not mention {needle:?}\n{}",
            describe(output)
        );
    }
}

/// Stdout of a command as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Reads a file as text, panicking with its path if it cannot.
pub fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A simple CSV file (no quoted fields, as commsim writes them): the header
/// names and the rows, each split on commas.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = read_text(path);
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("{} is empty", path.display()))
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Index of column `name` in `header`, panicking with the header if absent.
pub fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in header {header:?}"))
}

/// [`read_results`] without meta.json, which records timings and threads.
pub fn results_without_meta(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = read_results(dir);
    assert!(
        files.remove("meta.json").is_some(),
        "{} has no meta.json",
        dir.display()
    );
    files
}

/// Runs scenario text through the library (no files written): relative
/// graph paths resolve against `base`, `runs` overrides the scenario's.
pub fn simulate_text(
    text: &str,
    base: &Path,
    runs: Option<u32>,
    threads: usize,
) -> Vec<commsim::model::RunOutput> {
    let s = commsim::scenario::Scenario::from_toml(text, Path::new("test.toml"), base, "test")
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .with_overrides(runs, None)
        .unwrap();
    let (s, g) = commsim::batch::prepare(s, threads).unwrap();
    commsim::batch::run_batch(
        s,
        g,
        commsim::batch::BatchOptions {
            threads,
            progress: false,
        },
    )
    .unwrap()
    .runs
}

/// One `read`, retried when a signal interrupts it (EINTR): the tests that
/// send SIGINT to a server run beside tests that read from sockets.
pub fn read_retrying(s: &mut impl std::io::Read, buf: &mut [u8]) -> usize {
    loop {
        match s.read(buf) {
            Ok(n) => return n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("read: {e}"),
        }
    }
}
