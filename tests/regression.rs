//! Regression tests for the faults of issue 13 ("hard edges"), each named
//! after the fault it guards.

use std::path::Path;

use tempfile::TempDir;

use crate::util::{
    check, column, commsim, listing, read_csv, read_results, read_text, results_without_meta,
    small_with, stdout, write, SMALL,
};

fn tmp() -> TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Names directly in `dir`, sorted, hidden ones included.
fn top(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------
// 1. Seeds of 2^63 and above
// ---------------------------------------------------------------------------

#[test]
fn regression_seed_above_i64_max() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let big = "9223372036854775808";
    let out = commsim(
        &["run", "small.toml", "--seed", big, "--out", "a", "-q"],
        dir.path(),
    );
    check(&out, 0, &[]);
    let resolved = read_text(&dir.path().join("a/scenario.toml"));
    assert!(
        resolved.contains(&format!("seed = \"{big}\"")),
        "the seed is not written as a string:\n{resolved}"
    );
    let (header, rows) = read_csv(&dir.path().join("a/runs.csv"));
    let seed_col = header.iter().position(|h| h == "seed").unwrap();
    assert_eq!(rows.len(), 4);
    // The resolved scenario reruns to the same results.
    let out = commsim(&["run", "a/scenario.toml", "--out", "b", "-q"], dir.path());
    check(&out, 0, &[]);
    assert_eq!(
        results_without_meta(&dir.path().join("a")),
        results_without_meta(&dir.path().join("b"))
    );
    // The largest seed, written in the file as a string, runs too.
    write(
        dir.path(),
        "max.toml",
        &small_with("seed = 2", "seed = \"18446744073709551615\""),
    );
    let out = commsim(&["run", "max.toml", "--out", "c", "-q"], dir.path());
    check(&out, 0, &[]);
    let (_, rows_c) = read_csv(&dir.path().join("c/runs.csv"));
    assert_ne!(rows[0][seed_col], rows_c[0][seed_col]);
}

#[test]
fn regression_seed_above_i64_max_bad_forms_are_refused() {
    for (seed, needle) in [
        ("-1", "negative"),
        ("\"12x\"", "not a string of digits"),
        ("\"18446744073709551616\"", "too large"),
        ("1.5", "seed"),
    ] {
        let dir = tmp();
        write(
            dir.path(),
            "bad.toml",
            &small_with("seed = 2", &format!("seed = {seed}")),
        );
        let out = commsim(&["run", "bad.toml"], dir.path());
        check(&out, 2, &["bad.toml", needle]);
        assert_eq!(top(dir.path()), ["bad.toml"]);
    }
}

/// About half of a sweep's point seeds are 2^63 or more; the documented way
/// to rerun a point (`commsim run point.toml --seed <seed>`) must work.
#[test]
fn regression_seed_above_i64_max_sweep_point_reruns() {
    let dir = tmp();
    write(dir.path(), "base.toml", SMALL);
    write(
        dir.path(),
        "s.toml",
        "base = \"base.toml\"\nruns = 2\nseed = \"9223372036854775809\"\ndesign = \"grid\"\n\
         [[param]]\npath = \"content.quality\"\nvalues = [0.2, 0.4, 0.6, 0.8]\n",
    );
    let out = commsim(&["sweep", "s.toml", "--out", "sw", "-q"], dir.path());
    check(&out, 0, &[]);
    let (header, rows) = read_csv(&dir.path().join("sw/points.csv"));
    let seed_col = header.iter().position(|h| h == "seed").unwrap();
    let big = rows
        .iter()
        .position(|r| r[seed_col].parse::<u64>().unwrap() > i64::MAX as u64)
        .expect("some point seed is 2^63 or more");
    let seed = rows[big][seed_col].clone();
    let value = ["0.2", "0.4", "0.6", "0.8"][big];
    write(
        dir.path(),
        "point.toml",
        &format!("{SMALL}\n[content]\nquality = {value}\n"),
    );
    let out = commsim(
        &[
            "run",
            "point.toml",
            "--seed",
            &seed,
            "--runs",
            "2",
            "--out",
            "p",
            "-q",
        ],
        dir.path(),
    );
    check(&out, 0, &[]);
    assert!(read_text(&dir.path().join("p/scenario.toml")).contains(&format!("\"{seed}\"")));
}

// ---------------------------------------------------------------------------
// 2. Two runs into one folder; 3. --force never leaves no folder
// ---------------------------------------------------------------------------

/// While one commsim holds the output folder, another is refused at once.
#[test]
fn regression_two_runs_into_one_folder_second_is_refused() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let res = dir.path().join("res");
    let claim = commsim::output::claim(&res, false).expect("claim");
    let out = commsim(&["run", "small.toml", "--out", "res"], dir.path());
    check(&out, 2, &["another commsim is writing results into", "res"]);
    drop(claim);
    assert_eq!(top(dir.path()), ["small.toml"], "the lock file is left");
    let out = commsim(&["run", "small.toml", "--out", "res", "-q"], dir.path());
    check(&out, 0, &[]);
    assert_eq!(top(dir.path()), ["res", "small.toml"]);
}

/// Started together, exactly one run writes the folder; the other exits 2
/// (whichever way the race goes) and the results are one run's, complete.
#[test]
fn regression_two_runs_into_one_folder_started_together() {
    let dir = tmp();
    write(
        dir.path(),
        "small.toml",
        &small_with("runs = 4", "runs = 40"),
    );
    let spawn = || {
        std::process::Command::new(crate::util::BIN)
            .args(["run", "small.toml", "--out", "res", "-q"])
            .current_dir(dir.path())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let mut codes = [a.status.code(), b.status.code()];
    codes.sort();
    assert_eq!(codes, [Some(0), Some(2)], "{a:?}\n{b:?}");
    let failed = if a.status.code() == Some(2) { &a } else { &b };
    let msg = String::from_utf8_lossy(&failed.stderr);
    assert!(
        msg.contains("another commsim is writing") || msg.contains("is not empty"),
        "{msg}"
    );
    assert_eq!(top(dir.path()), ["res", "small.toml"]);
    let out = commsim(&["run", "small.toml", "--out", "ref", "-q"], dir.path());
    check(&out, 0, &[]);
    assert_eq!(
        results_without_meta(&dir.path().join("res")),
        results_without_meta(&dir.path().join("ref"))
    );
}

/// A crash in the middle of replacing results leaves the previous results
/// under a set-aside name; the next command puts them back before anything
/// else, and removes a crashed run's staging folder.
#[test]
fn regression_force_never_leaves_no_results_folder() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let out = commsim(&["run", "small.toml", "--out", "res", "-q"], dir.path());
    check(&out, 0, &[]);
    let before = read_results(&dir.path().join("res"));
    // What a kill between the two renames of a replacement leaves behind.
    std::fs::rename(dir.path().join("res"), dir.path().join(".res.old-99999")).unwrap();
    write(dir.path(), ".res.partial-99999/daily.csv", "half");
    let out = commsim(&["run", "small.toml", "--out", "res"], dir.path());
    check(&out, 2, &["res", "--force"]);
    assert_eq!(top(dir.path()), ["res", "small.toml"]);
    assert_eq!(read_results(&dir.path().join("res")), before);
    // --force replaces the folder in one step and leaves no hidden names.
    write(
        dir.path(),
        "other.toml",
        &small_with("seed = 2", "seed = 8"),
    );
    let out = commsim(
        &["run", "other.toml", "--out", "res", "--force", "-q"],
        dir.path(),
    );
    check(&out, 0, &[]);
    assert_eq!(top(dir.path()), ["other.toml", "res", "small.toml"]);
    assert_ne!(read_results(&dir.path().join("res")), before);
}

// ---------------------------------------------------------------------------
// 8. --out naming the current folder
// ---------------------------------------------------------------------------

#[test]
fn regression_out_dot_in_empty_folder_leaves_nothing() {
    let dir = tmp();
    let out = commsim(&["run", "--out", ".", "--runs", "2"], dir.path());
    check(&out, 2, &["--out .", "current folder"]);
    assert!(listing(dir.path()).is_empty(), "{:?}", top(dir.path()));
    assert!(top(dir.path()).is_empty(), "{:?}", top(dir.path()));
}

#[test]
fn regression_out_name_of_250_characters_exits_2() {
    let dir = tmp();
    let name = "x".repeat(250);
    let out = commsim(&["run", "--out", &name, "--runs", "2"], dir.path());
    check(&out, 2, &["--out", "250 bytes", "at most 200"]);
    assert!(top(dir.path()).is_empty(), "{:?}", top(dir.path()));
}

// ---------------------------------------------------------------------------
// 6. Edge-list lines with no end
// ---------------------------------------------------------------------------

#[test]
fn regression_graph_path_dev_zero_exits_2_quickly() {
    let dir = tmp();
    write(
        dir.path(),
        "z.toml",
        &small_with(
            r#"graph = { model = "barabasi-albert", m = 2 }"#,
            r#"graph = { model = "file", path = "/dev/zero" }"#,
        )
        .replace("size = 300\n", ""),
    );
    let start = std::time::Instant::now();
    let out = commsim(&["run", "z.toml"], dir.path());
    check(&out, 2, &["/dev/zero:1:", "longer than 4096 bytes"]);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert_eq!(top(dir.path()), ["z.toml"]);
    // A scenario path of /dev/zero is refused too, not read forever.
    let out = commsim(&["run", "/dev/zero"], dir.path());
    check(&out, 2, &["/dev/zero", "larger than 16 MiB"]);
}

#[test]
fn regression_graph_line_longer_than_cap_names_file_and_line() {
    let dir = tmp();
    let long = format!("1 2\n2 3 {}\n", "9".repeat(5000));
    write(dir.path(), "g.edges", &long);
    write(
        dir.path(),
        "f.toml",
        &small_with(
            r#"graph = { model = "barabasi-albert", m = 2 }"#,
            r#"graph = { model = "file", path = "g.edges" }"#,
        )
        .replace("size = 300\n", "")
        .replace("members = 10", "members = 1"),
    );
    let out = commsim(&["run", "f.toml"], dir.path());
    check(&out, 2, &["g.edges:2:", "longer than 4096 bytes"]);
    assert_eq!(top(dir.path()), ["f.toml", "g.edges"]);
}

// ---------------------------------------------------------------------------
// 7. Exit codes: damaged input exits 2
// ---------------------------------------------------------------------------

/// A sweep folder of two points, run as shards 0 and 1 of 2 (two point files
/// and two manifests) but not merged, in `dir/sw`.
fn half_sweep(dir: &Path) {
    write(dir, "base.toml", SMALL);
    write(
        dir,
        "s.toml",
        "base = \"base.toml\"\nruns = 2\ndesign = \"grid\"\n\
         [[param]]\npath = \"content.quality\"\nvalues = [0.2, 0.4]\n",
    );
    for shard in ["0/2", "1/2"] {
        let out = commsim(
            &["sweep", "s.toml", "--out", "sw", "--shard", shard, "-q"],
            dir,
        );
        check(&out, 0, &[]);
    }
}

#[test]
fn regression_non_utf8_sweep_files_exit_2() {
    for damaged in [
        "sw/points/000000.csv",
        "sw/plan.json",
        "sw/shards/shard-0-of-2.json",
    ] {
        let dir = tmp();
        half_sweep(dir.path());
        std::fs::write(dir.path().join(damaged), b"\xff\xfe not text \xff").unwrap();
        let before = read_results(dir.path());
        let out = commsim(&["merge", "sw"], dir.path());
        check(&out, 2, &[damaged.rsplit('/').next().unwrap()]);
        assert_eq!(read_results(dir.path()), before, "{damaged}");
    }
}

#[test]
fn regression_merge_out_file_exits_2() {
    let dir = tmp();
    half_sweep(dir.path());
    write(dir.path(), "file.txt", "mine");
    let out = commsim(&["merge", "sw", "--out", "file.txt"], dir.path());
    check(&out, 2, &["file.txt", "not a folder"]);
    assert_eq!(read_text(&dir.path().join("file.txt")), "mine");
}

#[test]
fn regression_graph_out_dir_exits_2() {
    let dir = tmp();
    std::fs::create_dir(dir.path().join("gd")).unwrap();
    let out = commsim(
        &[
            "graph",
            "--model",
            "erdos-renyi",
            "--size",
            "50",
            "-o",
            "gd",
        ],
        dir.path(),
    );
    check(&out, 2, &["gd", "is a folder"]);
    assert!(top(&dir.path().join("gd")).is_empty());
}

// ---------------------------------------------------------------------------
// 8. Messages that mislead
// ---------------------------------------------------------------------------

#[test]
fn regression_graph_size_10_does_not_mention_start_members() {
    let dir = tmp();
    for model in ["erdos-renyi", "barabasi-albert", "block"] {
        let out = commsim(
            &["graph", "--model", model, "--size", "10", "-o", "g.edges"],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("start.members"), "{model}: {stderr}");
        let _ = std::fs::remove_file(dir.path().join("g.edges"));
    }
}

#[test]
fn regression_runs_minus_one_names_the_flag() {
    let dir = tmp();
    for (flag, cmd) in [("--runs", "run"), ("--seed", "run"), ("--threads", "run")] {
        let out = commsim(&[cmd, flag, "-1"], dir.path());
        check(&out, 2, &[flag, "-1"]);
    }
    let out = commsim(
        &["graph", "--model", "erdos-renyi", "--size", "-5", "-o", "g"],
        dir.path(),
    );
    check(&out, 2, &["--size", "-5"]);
    assert!(top(dir.path()).is_empty());
}

#[test]
fn regression_single_bracket_sections_say_double_brackets() {
    for name in ["channel", "reward", "giveaway", "event"] {
        let dir = tmp();
        let text = if name == "channel" {
            small_with("[[channel]]", "[channel]")
        } else {
            format!("{SMALL}\n[{name}]\nx = 1\n")
        };
        write(dir.path(), "bad.toml", &text);
        let out = commsim(&["run", "bad.toml"], dir.path());
        check(
            &out,
            2,
            &[
                "bad.toml",
                &format!("write [[{name}]]: a scenario can have several"),
            ],
        );
        assert_eq!(top(dir.path()), ["bad.toml"]);
    }
    let dir = tmp();
    write(dir.path(), "base.toml", SMALL);
    write(
        dir.path(),
        "s.toml",
        "base = \"base.toml\"\ndesign = \"grid\"\n[param]\npath = \"days\"\nvalues = [5]\n",
    );
    let out = commsim(&["sweep", "s.toml"], dir.path());
    check(&out, 2, &["s.toml", "write [[param]]"]);
    assert_eq!(top(dir.path()), ["base.toml", "s.toml"]);
}

#[test]
fn regression_threads_100000_refused_at_once() {
    let dir = tmp();
    write(dir.path(), "base.toml", SMALL);
    write(
        dir.path(),
        "s.toml",
        "base = \"base.toml\"\ndesign = \"grid\"\n[[param]]\npath = \"days\"\nvalues = [5]\n",
    );
    for args in [
        vec!["run", "--threads", "100000"],
        vec!["sweep", "s.toml", "--threads", "100000"],
        vec!["compare", "base.toml", "base.toml", "--threads", "100000"],
        vec!["explain", "--threads", "100000"],
    ] {
        let start = std::time::Instant::now();
        let out = commsim(&args, dir.path());
        check(&out, 2, &["--threads 100000", "allowed 1 to 4096"]);
        assert!(
            start.elapsed().as_secs() < 3,
            "{args:?}: {:?}",
            start.elapsed()
        );
    }
    assert_eq!(top(dir.path()), ["base.toml", "s.toml"]);
}

#[test]
fn regression_graph_out_keeps_users_partial_file() {
    let dir = tmp();
    write(dir.path(), "g.partial", "mine");
    let out = commsim(
        &[
            "graph",
            "--model",
            "erdos-renyi",
            "--size",
            "50",
            "-o",
            "g.edges",
        ],
        dir.path(),
    );
    check(&out, 0, &[]);
    assert_eq!(read_text(&dir.path().join("g.partial")), "mine");
    assert_eq!(top(dir.path()), ["g.edges", "g.partial"]);
}

// ---------------------------------------------------------------------------
// 9. plot; 5. reading many runs back is linear
// ---------------------------------------------------------------------------

#[test]
fn regression_plot_refuses_daily_runs_out_of_order() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let out = commsim(&["run", "small.toml", "--out", "res", "-q"], dir.path());
    check(&out, 0, &[]);
    let daily = dir.path().join("res/daily.csv");
    let text = read_text(&daily);
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    // Move run 1's rows after run 3's.
    let (ones, rest): (Vec<&str>, Vec<&str>) = lines.iter().partition(|l| l.starts_with("1,"));
    let days = ones.len();
    let reordered = std::iter::once(header)
        .chain(rest)
        .chain(ones)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(&daily, &reordered).unwrap();
    let before = read_results(&dir.path().join("res"));
    let out = commsim(&["plot", "res"], dir.path());
    let line = format!("daily.csv:{}:", 3 * days + 2);
    check(
        &out,
        2,
        &[&line, "run 1 comes after run 3", "ordered by run"],
    );
    assert_eq!(read_results(&dir.path().join("res")), before);
}

#[test]
fn regression_plot_falls_back_to_meta_json_when_scenario_toml_is_damaged() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let out = commsim(&["run", "small.toml", "--out", "res", "-q"], dir.path());
    check(&out, 0, &[]);
    let res = dir.path().join("res");
    // The churn chart: its title names the scenario, and unlike the
    // lifecycle chart it draws no strategy days from scenario.toml.
    let charts_before = std::fs::read(res.join("churn.svg")).unwrap();
    for damage in [&b"name = \"unterminated"[..], b"\xff\xfe\x00"] {
        std::fs::write(res.join("scenario.toml"), damage).unwrap();
        let out = commsim(&["plot", "res"], dir.path());
        check(&out, 0, &[]);
        // The title still names the scenario, now from meta.json.
        assert_eq!(std::fs::read(res.join("churn.svg")).unwrap(), charts_before);
    }
}

/// Reading back 200,000 runs was quadratic (each new run was compared with
/// every earlier one): minutes. Linear, it takes well under a second.
#[test]
fn regression_plot_reads_many_runs_in_linear_time() {
    let dir = tmp();
    let runs = 200_000;
    let mut text = String::from(
        "run,day,members,active,silent,muted,joined,referral_joins,channel_joins,revenue,cost,left_boredom\n",
    );
    for r in 0..runs {
        text.push_str(&format!("{r},0,10,5,3,2,10,0,0,0,0,0\n"));
    }
    write(dir.path(), "res/daily.csv", &text);
    let start = std::time::Instant::now();
    let results = commsim::plot::data::load(&dir.path().join("res")).expect("loads");
    assert_eq!(results.runs(), runs);
    assert!(
        start.elapsed().as_secs() < 15,
        "reading {runs} runs took {:?}",
        start.elapsed()
    );
}

// ---------------------------------------------------------------------------
// Honest defaults: a schedule of only `start`
// ---------------------------------------------------------------------------

#[test]
fn regression_schedule_of_only_start_is_refused_saying_how_to_write_it() {
    for (section, field) in [
        ("[content]\nschedule = { start = 30 }", "content.schedule"),
        ("[[event]]\nschedule = { start = 30 }", "event[0].schedule"),
        ("[rituals]\ncheckin = { start = 30 }", "rituals.checkin"),
    ] {
        let dir = tmp();
        write(dir.path(), "bad.toml", &format!("{SMALL}\n{section}\n"));
        let out = commsim(&["run", "bad.toml"], dir.path());
        check(
            &out,
            2,
            &[
                "bad.toml",
                field,
                "only `start = 30`",
                "every = 7",
                "days = [30]",
            ],
        );
        assert_eq!(top(dir.path()), ["bad.toml"]);
    }
    // With `every`, `end` or `days` it is accepted.
    let dir = tmp();
    write(
        dir.path(),
        "ok.toml",
        &format!("{SMALL}\n[content]\nschedule = {{ start = 3, end = 9 }}\n"),
    );
    let out = commsim(&["run", "ok.toml", "--out", "r", "-q"], dir.path());
    check(&out, 0, &[]);
}

// ---------------------------------------------------------------------------
// commsim run --set path=value
// ---------------------------------------------------------------------------

#[test]
fn regression_run_set_overrides_fields_by_sweep_paths() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let out = commsim(
        &[
            "run",
            "small.toml",
            "--set",
            "content.quality=0.3",
            "--set",
            "channel[0].daily=8",
            "--set",
            "leave.friends.mode=threshold",
            "--out",
            "a",
            "-q",
        ],
        dir.path(),
    );
    check(&out, 0, &[]);
    let resolved = read_text(&dir.path().join("a/scenario.toml"));
    assert!(resolved.contains("quality = 0.3"), "{resolved}");
    assert!(resolved.contains("daily = 8.0"), "{resolved}");
    assert!(resolved.contains("mode = \"threshold\""), "{resolved}");
    // The same scenario written in a file gives the same results.
    let out = commsim(&["run", "a/scenario.toml", "--out", "b", "-q"], dir.path());
    check(&out, 0, &[]);
    assert_eq!(
        results_without_meta(&dir.path().join("a")),
        results_without_meta(&dir.path().join("b"))
    );
}

#[test]
fn regression_run_set_bad_path_or_value_exits_2_naming_it() {
    for (set, needles) in [
        (
            "content.qualty=0.3",
            vec!["--set content.qualty=0.3", "no field `qualty`", "quality"],
        ),
        (
            "content.quality=abc",
            vec!["--set content.quality=abc", "holds a number"],
        ),
        (
            "content.quality=3",
            vec!["content.quality", "allowed 0 to 1"],
        ),
        ("channel[5].daily=1", vec!["channel[5]", "1 entry"]),
        ("days", vec!["--set days", "PATH=VALUE"]),
        ("days=[1", vec!["--set days=[1", "not a TOML value"]),
    ] {
        let dir = tmp();
        write(dir.path(), "small.toml", SMALL);
        let out = commsim(&["run", "small.toml", "--set", set], dir.path());
        check(&out, 2, &needles);
        assert_eq!(top(dir.path()), ["small.toml"], "{set}");
    }
}

// ---------------------------------------------------------------------------
// The entry points the fuzz targets in fuzz/ call
// ---------------------------------------------------------------------------

#[test]
fn regression_fuzz_entry_points_refuse_garbage_without_panicking() {
    use commsim::graph::read_edge_list;
    use commsim::scenario::Scenario;
    use commsim::sweep::plan::Sweep;
    let p = Path::new("fuzz");
    let g = read_edge_list(&b"1 2\n2 3\n"[..], p).expect("a small edge list");
    assert_eq!(g.node_count(), 3);
    let long = vec![b'7'; 100_000];
    assert!(read_edge_list(&long[..], p).is_err());
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let sweep_path = dir.path().join("s.toml");
    for text in [
        "",
        "base = 3",
        "base = \"small.toml\"\ndesign = \"grid\"\n[[param]]\npath = \"\"\nvalues = []\n",
        "base = \"small.toml\"\ndesign = \"lhs\"\nsamples = 0\n[[param]]\npath = \"days\"\nmin = 1\nmax = 0\n",
        "[[[",
    ] {
        assert!(Sweep::from_text(text, &sweep_path).is_err(), "{text:?}");
        assert!(Scenario::from_toml(text, p, p, "x").is_err() || text.is_empty());
    }
    let ok =
        "base = \"small.toml\"\ndesign = \"grid\"\n[[param]]\npath = \"days\"\nvalues = [5, 6]\n";
    assert_eq!(
        Sweep::from_text(ok, &sweep_path).expect("valid").plan.len(),
        2
    );
}

// ---------------------------------------------------------------------------
// 4. The memory check counts the rows kept until the results are written
// ---------------------------------------------------------------------------

#[test]
fn regression_memory_check_counts_referral_group_and_member_rows() {
    // 200,000 people in groups of 2: up to 60,000 groups a day, each a row of
    // groups.csv, for 100,000 runs: far beyond any machine's memory.
    let dir = tmp();
    write(
        dir.path(),
        "big.toml",
        "runs = 100000\n[population]\nsize = 200000\n[groups]\ncapacity = 2\nmax = 60000\n",
    );
    let start = std::time::Instant::now();
    let out = commsim(&["run", "big.toml"], dir.path());
    check(&out, 2, &["big.toml", "group rows", "groups.max", "GiB"]);
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    assert_eq!(top(dir.path()), ["big.toml"]);

    // The estimate itself: one referral and one member row per person per
    // run at most, and one group row per possible group per day.
    let s = commsim::scenario::Scenario::from_toml(
        "runs = 10\ndays = 9\n[population]\nsize = 1000\n[groups]\ncapacity = 100\nmax = 50\n",
        Path::new("t.toml"),
        Path::new("."),
        "t",
    )
    .unwrap();
    let kept = commsim::batch::kept_output_bytes(&s, 1000);
    assert_eq!(commsim::batch::max_groups(&s, 1000), 11);
    assert_eq!(
        kept.referrals,
        10 * 1000 * commsim::batch::REFERRAL_ROW_BYTES
    );
    assert_eq!(kept.members, 10 * 1000 * commsim::batch::MEMBER_ROW_BYTES);
    assert_eq!(kept.groups, 10 * 10 * 11 * commsim::batch::GROUP_ROW_BYTES);
}

// ---------------------------------------------------------------------------
// Researchers' expectations: meta.json records provenance
// ---------------------------------------------------------------------------

#[test]
fn regression_meta_json_records_version_commit_scenario_hash_and_command_line() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let out = commsim(&["run", "small.toml", "--out", "a", "-q"], dir.path());
    check(&out, 0, &[]);
    let meta: serde_json::Value =
        serde_json::from_str(&read_text(&dir.path().join("a/meta.json"))).unwrap();
    assert_eq!(meta["commsim_version"], env!("CARGO_PKG_VERSION"));
    let commit = meta["git_commit"].as_str().unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{commit}"
    );
    let args: Vec<&str> = meta["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(&args[1..], ["run", "small.toml", "--out", "a", "-q"]);
    // The hash is of the resolved TOML: a rerun from it has the same hash,
    // another seed another one.
    let out = commsim(&["run", "a/scenario.toml", "--out", "b", "-q"], dir.path());
    check(&out, 0, &[]);
    let out = commsim(
        &["run", "small.toml", "--seed", "8", "--out", "c", "-q"],
        dir.path(),
    );
    check(&out, 0, &[]);
    let hash = |d: &str| -> String {
        let m: serde_json::Value =
            serde_json::from_str(&read_text(&dir.path().join(d).join("meta.json"))).unwrap();
        m["scenario_hash"].as_str().unwrap().to_string()
    };
    assert_eq!(hash("a").len(), 16);
    assert_eq!(hash("a"), hash("b"));
    assert_ne!(hash("a"), hash("c"));
}

/// The 500-member cap turned people away unseen: runs.csv now counts them
/// (`refused_full`) and the summary says so.
#[test]
fn regression_refused_full_is_reported() {
    let dir = tmp();
    write(
        dir.path(),
        "small.toml",
        &format!("{SMALL}\n[groups]\ncapacity = 12\n"),
    );
    let out = commsim(&["run", "small.toml", "--out", "res"], dir.path());
    check(&out, 0, &[]);
    assert!(
        stdout(&out).contains("turned away because every group was full"),
        "{}",
        stdout(&out)
    );
    let (header, rows) = read_csv(&dir.path().join("res/runs.csv"));
    let col = column(&header, "refused_full");
    let refused: u64 = rows.iter().map(|r| r[col].parse::<u64>().unwrap()).sum();
    assert!(refused > 0, "nobody was counted as refused");
}

/// Each joiner scanned every group for room: with many groups (up to
/// 60,000) that was quadratic. The scan now starts after the groups known
/// to be full; the placement it finds is the same (first group with room).
#[test]
fn regression_joiner_group_scan_finds_first_group_with_room() {
    let text = format!(
        "{}\n[groups]\ncapacity = 5\nmax = 400\n",
        SMALL.replace("days = 20", "days = 10")
    );
    let runs = crate::util::simulate_text(&text, Path::new("."), Some(2), 1);
    for r in &runs {
        // Members per group never exceed the capacity, and a new group opens
        // only when every open one is full.
        for g in &r.groups {
            assert!(g.members <= 5, "{g:?}");
        }
        for d in &r.days {
            assert!(d.members <= 5 * d.groups, "{d:?}");
        }
        let opened = r.days.last().unwrap().groups;
        assert!(opened > 1, "only {opened} groups opened");
    }
}

/// Issue 13, fault 10: groups.csv did not add up on days a group splits.
/// Every group's members follow from yesterday's, joins, moves and
/// departures, and the day's groups add up to daily.csv's counts.
#[test]
fn regression_groups_csv_adds_up_on_split_days() {
    let text = r#"
name = "splits"
days = 40
runs = 6
seed = 3
[population]
size = 3000
graph = { model = "barabasi-albert", m = 3 }
[start]
members = 20
[[channel]]
name = "poster"
daily = 40
schedule = { start = 1, end = 30 }
[groups]
capacity = 60
max = 50
split = true
"#;
    let runs = crate::util::simulate_text(text, Path::new("."), None, 2);
    let mut splits = 0;
    for r in &runs {
        let mut yesterday: std::collections::BTreeMap<u16, u32> = Default::default();
        for d in &r.days {
            let rows: Vec<_> = r.groups.iter().filter(|g| g.day == d.day).collect();
            assert_eq!(rows.len() as u32, d.groups);
            let sum =
                |f: fn(&commsim::model::GroupRow) -> u32| rows.iter().map(|g| f(g)).sum::<u32>();
            assert_eq!(sum(|g| g.members), d.members);
            assert_eq!(sum(|g| g.joined), d.joined);
            assert_eq!(sum(|g| g.left), d.left);
            assert_eq!(sum(|g| g.moved_in), sum(|g| g.moved_out));
            for g in &rows {
                let before = yesterday.get(&g.group).copied().unwrap_or(0);
                assert_eq!(
                    g.members + g.left + g.moved_out,
                    before + g.joined + g.moved_in,
                    "run {} day {} group {}",
                    r.run,
                    d.day,
                    g.group
                );
                splits += (g.moved_in > 0) as u32;
                yesterday.insert(g.group, g.members);
            }
        }
    }
    assert!(splits > 0, "the scenario should split groups");
}
