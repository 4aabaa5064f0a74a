//! `commsim optimise`: it finds a known optimum, beats the scenario as given
//! on its objective, writes a `best.toml` that `commsim run` accepts, and
//! refuses bad flags with exit code 2 and nothing written.

use std::path::Path;

use tempfile::TempDir;

use crate::util::{check, commsim, describe, listing, read_text, stdout, write};

/// Two levers with a known optimum. Lessons cost 10 each and help members
/// stay (the default content gains: more lessons, more active members);
/// rewards cost money and do nothing (every gain 0). The budget of 400 pays
/// for exactly the 40 daily lessons of days 1 to 40 (lessons' highest level)
/// and nothing else, so the optimum is daily lessons with rewards off: any
/// money on rewards is a lesson less. As given (lessons every 14 days,
/// rewards of 40 every other day, paid first) the group dies out.
const KNOWN_OPTIMUM: &str = r#"name = "known-optimum"
days = 40
runs = 4
seed = 11

[population]
size = 300
graph = { model = "barabasi-albert", m = 2 }

[start]
members = 40

[content]
schedule = { start = 1, every = 14 }
cost = 10.0
hours = 0.0

[[reward]]
schedule = { start = 1, every = 2 }
budget = 40.0
interest_gain = 0.0
trust_gain = 0.0

[operator]
priority = ["reward", "content"]
"#;

const BUDGET: &str = "400";

fn tmp() -> TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// The 95% interval printed after "best: ...".
fn interval(summary: &str) -> (f64, f64) {
    let line = summary
        .lines()
        .find(|l| l.starts_with("best: "))
        .unwrap_or_else(|| panic!("no best: line in\n{summary}"));
    let inside = line
        .split("(95% interval ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .unwrap_or_else(|| panic!("no interval in {line}"));
    let mut parts = inside.split(" to ");
    let mut next = || -> f64 {
        parts
            .next()
            .and_then(|x| x.trim().parse().ok())
            .unwrap_or_else(|| panic!("cannot read the interval in {line}"))
    };
    (next(), next())
}

#[test]
fn optimise_finds_the_known_optimum_and_beats_the_scenario_as_given() {
    let dir = tmp();
    let scenario = write(dir.path(), "known.toml", KNOWN_OPTIMUM);
    let out = dir.path().join("opt");
    let args = [
        "optimise",
        scenario.to_str().unwrap(),
        "--budget",
        BUDGET,
        "--objective",
        "active@40",
        "--runs",
        "6",
        "--max-runs",
        "1500",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = commsim(&args, dir.path());
    check(&o, 0, &[]);
    let printed = stdout(&o);
    assert!(
        printed.contains("best: lessons daily:"),
        "the optimum is daily lessons and nothing else\n{printed}"
    );
    // The winner against the scenario as given, paired over the same runs:
    // the 95% interval (mean ± t·se of the paired differences) excludes 0.
    let (lo, hi) = interval(&printed);
    assert!(lo > 0.0 && hi >= lo, "interval {lo} to {hi}\n{printed}");

    let best = read_text(&out.join("best.toml"));
    let spec: toml::Table = toml::from_str(&best).expect("best.toml is TOML");
    assert!(spec.get("reward").is_none(), "rewards off in\n{best}");
    assert_eq!(spec["content"]["schedule"]["every"].as_integer(), Some(1));
    assert_eq!(spec["operator"]["funds"].as_float(), Some(400.0));

    // history.csv: one row per candidate and round; round 0 holds all 32
    // allocations (5 content levels x 4 reward levels, and which of the two
    // is paid first when both run: 8 + 12 x 2).
    let history = read_text(&out.join("history.csv"));
    let mut lines = history.lines();
    assert_eq!(
        lines.next(),
        Some("round,candidate,allocation,runs,mean,se,kept")
    );
    let round0 = lines.clone().filter(|l| l.starts_with("0,")).count();
    assert_eq!(round0, 32, "{history}");
    assert!(out.join("summary.txt").is_file());

    // best.toml is a scenario `commsim run` accepts.
    let run_out = dir.path().join("run");
    let o = commsim(
        &[
            "run",
            out.join("best.toml").to_str().unwrap(),
            "--runs",
            "2",
            "--quiet",
            "--out",
            run_out.to_str().unwrap(),
        ],
        dir.path(),
    );
    check(&o, 0, &[]);

    // The alias, and refusing to overwrite without --force.
    let mut again = args.to_vec();
    again[0] = "optimize";
    let o = commsim(&again, dir.path());
    check(&o, 2, &["--force"]);
}

fn refused(dir: &Path, extra: &[&str], needles: &[&str]) {
    let scenario = write(dir, "known.toml", KNOWN_OPTIMUM);
    let out = dir.join("never");
    let mut args = vec![
        "optimise",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = commsim(&args, dir);
    check(&o, 2, needles);
    assert!(
        !out.exists(),
        "nothing is written for {extra:?}\n{}",
        describe(&o)
    );
    assert_eq!(
        listing(dir).into_iter().collect::<Vec<_>>(),
        ["known.toml"],
        "no partial output"
    );
}

#[test]
fn bad_optimise_flags_exit_2_naming_the_flag() {
    let dir = tmp();
    let d = dir.path();
    refused(d, &["--budget", "-1"], &["--budget", "from 0 up"]);
    refused(d, &["--budget", "abc"], &["--budget", "from 0 up"]);
    refused(d, &["--budget", "unlimited"], &["--budget"]);
    refused(
        d,
        &["--budget", "100", "--levers", "content,magic"],
        &["--levers", "magic", "allowed: content"],
    );
    refused(
        d,
        &["--budget", "100", "--objective", "profit"],
        &["--objective", "active@N", "self-sustaining", "revenue"],
    );
    refused(
        d,
        &["--budget", "100", "--objective", "active@41"],
        &["--objective", "up to 40"],
    );
    refused(
        d,
        &["--budget", "100", "--max-runs", "0"],
        &["--max-runs", "from 1 up"],
    );
    refused(
        d,
        &["--budget", "100", "--max-runs", "10"],
        &["--max-runs", "first round"],
    );
    refused(d, &["--budget", "100", "--runs", "1"], &["--runs"]);
    refused(d, &[], &["--budget"]);
}

/// Fault: `--force` refused a folder an earlier `optimise` wrote, calling
/// best.toml, history.csv and summary.txt files commsim did not write.
#[test]
fn regression_optimise_force_replaces_an_earlier_optimise_folder() {
    let dir = tmp();
    let scenario = write(dir.path(), "known.toml", KNOWN_OPTIMUM);
    let out = dir.path().join("opt");
    let args = [
        "optimise",
        scenario.to_str().unwrap(),
        "--budget",
        BUDGET,
        "--levers",
        "content",
        "--runs",
        "2",
        "--max-runs",
        "60",
        "--threads",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = commsim(&args, dir.path());
    check(&first, 0, &[]);
    let written = listing(&out);
    assert_eq!(
        written.iter().map(String::as_str).collect::<Vec<_>>(),
        ["best.toml", "history.csv", "summary.txt"]
    );

    // Without --force: refused with exit 2, saying why and what to pass.
    let again = commsim(&args, dir.path());
    check(&again, 2, &["opt", "is not empty", "--force"]);

    // With --force: the earlier optimise folder is commsim's own and replaced.
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = commsim(&forced, dir.path());
    check(&o, 0, &[]);
    assert_eq!(
        listing(&out),
        written,
        "the folder holds exactly the new results"
    );
    assert_eq!(
        listing(dir.path())
            .iter()
            .filter(|n| n.contains(".partial") || n.contains(".old"))
            .count(),
        0,
        "staging folders left behind"
    );

    // A user's own file in it is still never deleted.
    write(&out, "notes.txt", "precious");
    let o = commsim(&forced, dir.path());
    check(&o, 2, &["notes.txt", "--out"]);
    assert_eq!(read_text(&out.join("notes.txt")), "precious");
}
