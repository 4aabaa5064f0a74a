//! End-to-end tests of the `commsim` command line: what `commsim run` and
//! `commsim graph` write, that results do not depend on threads and do depend
//! on the seed, how existing results are protected, and that every kind of bad
//! input is refused with exit code 2, a message naming the problem, and no
//! output left behind.

use std::path::Path;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::util::{
    check, column, commsim, describe, listing, read_csv, read_results, read_text,
    results_without_meta, small_with, stdout, write, SMALL, SMALL_GRAPH_LINE,
};

/// Result files of a run with referrals on (the default): the data, then
/// the charts drawn from it and the handout.
const RESULT_FILES: [&str; 21] = [
    "daily.csv",
    "runs.csv",
    "referrals.csv",
    "groups.csv",
    "members.csv",
    "bands.csv",
    "scenario.toml",
    "meta.json",
    "lifecycle.png",
    "lifecycle.svg",
    "churn.png",
    "churn.svg",
    "referrals.png",
    "referrals.svg",
    "tree.png",
    "tree.svg",
    "economics.png",
    "economics.svg",
    "survival.png",
    "survival.svg",
    "report.html",
];

fn tmp() -> TempDir {
    tempfile::tempdir().expect("temporary folder")
}

fn reference_scenario(name: &str) -> String {
    format!("{}/scenarios/reference/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `commsim run` with `args`, asserting exit code 0.
fn run_ok(args: &[&str], cwd: &Path) -> String {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    let out = commsim(&all, cwd);
    check(&out, 0, &[]);
    stdout(&out)
}

// ---------------------------------------------------------------------------
// Successful runs
// ---------------------------------------------------------------------------

#[test]
fn run_writes_all_result_files_with_documented_columns_and_row_counts() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let out = commsim(&["run", "small.toml", "--out", "res"], dir.path());
    check(&out, 0, &[]);
    let res = dir.path().join("res");
    let files = listing(&res);
    for f in RESULT_FILES {
        assert!(files.contains(f), "{f} missing from {files:?}");
    }

    let (header, rows) = read_csv(&res.join("daily.csv"));
    for name in [
        "run",
        "day",
        "members",
        "active",
        "silent",
        "muted",
        "joined",
        "left",
        "referral_joins",
        "channel_joins",
        "messages",
        "mean_trust",
        "mean_interest",
        "revenue",
        "cost",
        "left_boredom",
        "left_unmet_need",
        "left_lost_trust",
        "left_annoyance",
        "left_friends",
        "left_fee_not_renewed",
        "left_removed",
    ] {
        column(&header, name);
    }
    // 4 runs of days 0..=20.
    assert_eq!(rows.len(), 4 * 21, "daily.csv rows");
    let (run_col, day_col) = (column(&header, "run"), column(&header, "day"));
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), header.len(), "daily.csv row {i} width: {row:?}");
        assert_eq!(row[run_col], (i / 21).to_string(), "run of row {i}");
        assert_eq!(row[day_col], (i % 21).to_string(), "day of row {i}");
    }

    let (header, rows) = read_csv(&res.join("runs.csv"));
    for name in [
        "run",
        "seed",
        "peak_members",
        "peak_day",
        "lifetime_days",
        "final_members",
        "final_active",
        "total_joined",
        "total_left",
        "referral_share",
        "revenue",
        "cost",
    ] {
        column(&header, name);
    }
    assert_eq!(rows.len(), 4, "runs.csv has one row per run");
    let run_col = column(&header, "run");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), header.len(), "runs.csv row {i} width: {row:?}");
        assert_eq!(row[run_col], i.to_string());
    }

    let text = stdout(&out);
    for needle in ["res", "peak members", "lifetime"] {
        assert!(text.contains(needle), "stdout lacks {needle:?}\n{text}");
    }
}

#[test]
fn run_quiet_prints_nothing_but_still_writes_results() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let out = commsim(
        &["run", "small.toml", "--out", "res", "--quiet"],
        dir.path(),
    );
    check(&out, 0, &[]);
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(dir.path().join("res/daily.csv").is_file());
}

#[test]
fn run_without_scenario_runs_the_builtin_default() {
    let dir = tmp();
    let text = run_ok(&["--runs", "2", "--out", "res"], dir.path());
    assert!(
        text.contains("default"),
        "stdout names the scenario\n{text}"
    );
    let (_, rows) = read_csv(&dir.path().join("res/runs.csv"));
    assert_eq!(rows.len(), 2, "--runs 2 gives two runs");
    let resolved = read_text(&dir.path().join("res/scenario.toml"));
    assert!(resolved.contains("name = \"default\""), "{resolved}");
}

#[test]
fn default_output_folder_is_outputs_slash_scenario_name_under_cwd() {
    let dir = tmp();
    // The file's stem differs from its `name`: the name wins.
    write(dir.path(), "mine.toml", SMALL);
    let text = run_ok(&["mine.toml"], dir.path());
    let res = dir.path().join("outputs/small");
    assert!(res.join("daily.csv").is_file(), "{:?}", listing(dir.path()));
    assert!(text.contains("outputs/small"), "{text}");

    // Without a `name`, the file's stem is used.
    let unnamed = small_with("name = \"small\"\n", "");
    write(dir.path(), "stemmy.toml", &unnamed);
    run_ok(&["stemmy.toml"], dir.path());
    assert!(
        dir.path().join("outputs/stemmy/daily.csv").is_file(),
        "{:?}",
        listing(dir.path())
    );
}

#[test]
fn resolved_scenario_toml_reruns_to_identical_results() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    run_ok(&["small.toml", "--out", "a"], dir.path());
    run_ok(&["a/scenario.toml", "--out", "b"], dir.path());
    let a = results_without_meta(&dir.path().join("a"));
    let b = results_without_meta(&dir.path().join("b"));
    assert_eq!(a["daily.csv"], b["daily.csv"], "daily.csv differs on rerun");
    assert_eq!(a, b, "results differ on rerun of the resolved scenario");
}

#[test]
fn resolved_scenario_toml_of_file_graph_reruns_to_identical_results() {
    // As a user would: the scenario and its graph in a folder, paths given
    // relative to the working directory.
    let dir = tmp();
    std::fs::create_dir(dir.path().join("sc")).unwrap();
    let mut args = GRAPH_ARGS;
    args[10] = "sc/g.edges";
    check(&commsim(&args, dir.path()), 0, &[]);
    write(dir.path(), "sc/f.toml", &small_on_graph_file());
    run_ok(&["sc/f.toml", "--out", "a"], dir.path());
    let out = commsim(&["run", "a/scenario.toml", "--out", "b"], dir.path());
    check(&out, 0, &[]);
    assert_eq!(
        results_without_meta(&dir.path().join("a")),
        results_without_meta(&dir.path().join("b")),
        "results differ on rerun of the resolved scenario"
    );
}

#[test]
fn results_are_byte_identical_for_one_and_two_threads_on_small_scenario() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    run_ok(&["small.toml", "--threads", "1", "--out", "t1"], dir.path());
    run_ok(&["small.toml", "--threads", "2", "--out", "t2"], dir.path());
    let t1 = results_without_meta(&dir.path().join("t1"));
    let t2 = results_without_meta(&dir.path().join("t2"));
    assert_eq!(t1.len(), RESULT_FILES.len() - 1, "{:?}", t1.keys());
    assert_eq!(t1, t2, "results depend on the number of threads");
}

#[test]
fn results_are_byte_identical_for_one_and_two_threads_on_network_sir() {
    let dir = tmp();
    let sir = reference_scenario("network-sir.toml");
    for (threads, out) in [("1", "t1"), ("2", "t2")] {
        run_ok(
            &[&sir, "--runs", "8", "--threads", threads, "--out", out],
            dir.path(),
        );
    }
    let t1 = results_without_meta(&dir.path().join("t1"));
    let t2 = results_without_meta(&dir.path().join("t2"));
    let (_, rows) = read_csv(&dir.path().join("t1/runs.csv"));
    assert_eq!(rows.len(), 8, "--runs 8 gives eight runs");
    assert_eq!(t1, t2, "results depend on the number of threads");
}

#[test]
fn same_seed_gives_identical_results_and_other_seed_gives_different_daily_csv() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    run_ok(&["small.toml", "--seed", "5", "--out", "a"], dir.path());
    run_ok(&["small.toml", "--seed", "5", "--out", "b"], dir.path());
    run_ok(&["small.toml", "--seed", "6", "--out", "c"], dir.path());
    let a = results_without_meta(&dir.path().join("a"));
    let b = results_without_meta(&dir.path().join("b"));
    let c = results_without_meta(&dir.path().join("c"));
    assert_eq!(a, b, "same seed, different results");
    assert_ne!(
        a["daily.csv"], c["daily.csv"],
        "--seed 5 and --seed 6 give the same daily.csv"
    );
    let resolved = String::from_utf8_lossy(&a["scenario.toml"]).into_owned();
    assert!(resolved.contains("seed = 5"), "{resolved}");
}

// ---------------------------------------------------------------------------
// Existing results
// ---------------------------------------------------------------------------

#[test]
fn existing_output_folder_is_refused_without_force_and_left_untouched() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let keep = write(dir.path(), "res/keep.txt", "precious");
    let before = listing(dir.path());
    let out = commsim(&["run", "small.toml", "--out", "res"], dir.path());
    check(&out, 2, &["res", "--force"]);
    assert_eq!(read_text(&keep), "precious");
    assert_eq!(listing(dir.path()), before, "the refusal changed files");
}

#[test]
fn force_replaces_existing_output_folder_without_leaving_staging_folders() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    write(dir.path(), "res/daily.csv", "old results");
    let out = commsim(
        &["run", "small.toml", "--out", "res", "--force"],
        dir.path(),
    );
    check(&out, 0, &[]);
    let files = read_results(&dir.path().join("res"));
    assert_ne!(
        files["daily.csv"],
        b"old results".to_vec(),
        "old results kept"
    );
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    let mut expected = RESULT_FILES.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected, "the folder holds exactly the new results");
    let top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        top.iter()
            .all(|n| !n.contains(".partial") && !n.contains(".old")),
        "staging folders left behind: {top:?}"
    );
    let mut sorted = top.clone();
    sorted.sort();
    assert_eq!(sorted, ["res", "small.toml"], "unexpected files: {top:?}");
}

/// --force replaces results, but never deletes files commsim did not write.
#[test]
fn force_refuses_a_folder_holding_files_commsim_did_not_write() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    write(dir.path(), "res/daily.csv", "old results");
    write(dir.path(), "res/notes.txt", "precious");
    let out = commsim(
        &["run", "small.toml", "--out", "res", "--force"],
        dir.path(),
    );
    check(&out, 2, &["res", "notes.txt", "--out"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("res/notes.txt")).unwrap(),
        "precious"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("res/daily.csv")).unwrap(),
        "old results"
    );
}

#[test]
fn force_with_a_bad_scenario_keeps_the_old_results() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    run_ok(&["small.toml", "--out", "res"], dir.path());
    let before = read_results(&dir.path().join("res"));
    write(dir.path(), "bad.toml", &small_with("days = 20", "days = 0"));
    let out = commsim(&["run", "bad.toml", "--out", "res", "--force"], dir.path());
    check(&out, 2, &["days"]);
    assert_eq!(read_results(&dir.path().join("res")), before);
}

#[test]
fn output_path_that_is_a_file_is_refused_and_left_untouched() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    let file = write(dir.path(), "res", "not a folder");
    let out = commsim(&["run", "small.toml", "--out", "res"], dir.path());
    check(&out, 2, &["res", "not a folder"]);
    assert_eq!(read_text(&file), "not a folder");
}

// ---------------------------------------------------------------------------
// Bad input: exit code 2, a message naming the problem, nothing written
// ---------------------------------------------------------------------------

/// Runs `commsim run` with `args` in `dir` (no `--out`, so results would go to
/// `outputs/<name>`), and asserts exit code 2, every needle in stderr, and
/// that nothing was created or changed in `dir`.
fn assert_refused(dir: &Path, args: &[&str], needles: &[&str]) {
    let before = read_results(dir);
    let before_names = listing(dir);
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    let out = commsim(&all, dir);
    check(&out, 2, needles);
    assert_eq!(
        listing(dir),
        before_names,
        "a refused run created files\n{}",
        describe(&out)
    );
    assert_eq!(read_results(dir), before, "a refused run changed files");
}

/// Writes `text` as bad.toml in a fresh folder and asserts that running it is
/// refused with a message naming bad.toml and every needle.
fn assert_scenario_refused(text: &str, needles: &[&str]) {
    let dir = tmp();
    write(dir.path(), "bad.toml", text);
    let mut all = vec!["bad.toml"];
    all.extend_from_slice(needles);
    assert_refused(dir.path(), &["bad.toml"], &all);
}

#[test]
fn missing_scenario_file_is_refused_naming_the_path() {
    let dir = tmp();
    assert_refused(dir.path(), &["no-such.toml"], &["no-such.toml"]);
}

#[test]
fn directory_or_non_utf8_file_as_scenario_is_refused_naming_the_path() {
    let dir = tmp();
    std::fs::create_dir(dir.path().join("folder.toml")).unwrap();
    assert_refused(dir.path(), &["folder.toml"], &["folder.toml"]);
    std::fs::write(dir.path().join("binary.toml"), [0xff, 0xfe, 0x00, 0x80]).unwrap();
    assert_refused(dir.path(), &["binary.toml"], &["binary.toml"]);
}

#[test]
fn toml_syntax_error_is_refused_naming_file_and_line() {
    // The broken table header is on line 8.
    let text = small_with("[population]", "[population");
    let line = text
        .lines()
        .position(|l| l == "[population")
        .expect("broken line")
        + 1;
    assert_scenario_refused(&text, &[&format!("line {line}")]);
}

#[test]
fn unknown_field_is_refused_naming_it() {
    assert_scenario_refused(
        &format!("{SMALL}\n[interest]\nhalflife = 3\n"),
        &["halflife"],
    );
    assert_scenario_refused(&format!("colour = \"red\"\n{SMALL}"), &["colour"]);
}

#[test]
fn days_zero_is_refused_naming_the_field() {
    assert_scenario_refused(&small_with("days = 20", "days = 0"), &["`days`"]);
}

#[test]
fn interest_initial_above_one_is_refused_naming_the_field() {
    assert_scenario_refused(
        &format!("{SMALL}\n[interest]\ninitial = 1.5\n"),
        &["interest.initial"],
    );
}

#[test]
fn negative_leave_base_is_refused_naming_the_field() {
    assert_scenario_refused(&format!("{SMALL}\n[leave]\nbase = -0.1\n"), &["leave.base"]);
}

#[test]
fn population_size_zero_is_refused_naming_the_field() {
    assert_scenario_refused(&small_with("size = 300", "size = 0"), &["population.size"]);
}

#[test]
fn channel_with_both_daily_and_rate_is_refused_naming_both() {
    assert_scenario_refused(
        &format!("{SMALL}\n[[channel]]\nname = \"ads\"\ndaily = 3\nrate = 0.01\n"),
        &["ads", "daily", "rate"],
    );
}

#[test]
fn roles_summing_above_one_are_refused_naming_roles() {
    assert_scenario_refused(
        &format!("{SMALL}\n[roles]\nexpert = 0.5\nasker = 0.4\nadvertiser = 0.2\n"),
        &["roles", "at most 1"],
    );
}

#[test]
fn odd_watts_strogatz_k_is_refused_naming_the_field() {
    assert_scenario_refused(
        &small_with(
            SMALL_GRAPH_LINE,
            r#"graph = { model = "watts-strogatz", k = 5, rewire = 0.1 }"#,
        ),
        &["population.graph.k", "even"],
    );
}

#[test]
fn threshold_friends_leave_on_well_mixed_population_is_refused_naming_the_field() {
    let text = small_with(SMALL_GRAPH_LINE, r#"graph = { model = "well-mixed" }"#);
    assert_scenario_refused(
        &format!("{text}\n[leave.friends]\nmode = \"threshold\"\n"),
        &["leave.friends.mode"],
    );
}

#[test]
fn wrong_type_is_refused_naming_the_field() {
    assert_scenario_refused(
        &small_with("days = 20", "days = \"ten\""),
        &["days", "ten", "line 4"],
    );
}

#[test]
fn unknown_graph_model_is_refused_naming_it() {
    assert_scenario_refused(
        &small_with(SMALL_GRAPH_LINE, r#"graph = { model = "small-world" }"#),
        &["small-world"],
    );
}

/// SMALL on the graph file `g.edges` beside it (size taken from the file).
fn small_on_graph_file() -> String {
    small_with("size = 300\n", "").replacen(
        SMALL_GRAPH_LINE,
        r#"graph = { model = "file", path = "g.edges" }"#,
        1,
    )
}

#[test]
fn graph_file_with_bad_line_is_refused_naming_file_and_line() {
    let dir = tmp();
    write(dir.path(), "sc/bad.toml", &small_on_graph_file());
    write(
        dir.path(),
        "sc/g.edges",
        "# comment\n0 1\n1 2\n2 3\n3 x\n4 5\n",
    );
    assert_refused(dir.path(), &["sc/bad.toml"], &["g.edges:5", "3 x"]);
}

#[test]
fn missing_graph_file_is_refused_naming_it() {
    let dir = tmp();
    write(dir.path(), "bad.toml", &small_on_graph_file());
    assert_refused(dir.path(), &["bad.toml"], &["g.edges"]);
}

#[test]
fn start_id_not_in_graph_file_is_refused_naming_the_id() {
    let dir = tmp();
    let text = small_on_graph_file();
    assert!(text.contains("members = 10"), "{text}");
    let text = text.replacen("members = 10", "ids = [0, 1, 99]", 1);
    write(dir.path(), "bad.toml", &text);
    write(dir.path(), "g.edges", "0 1\n1 2\n2 3\n3 0\n");
    assert_refused(dir.path(), &["bad.toml"], &["bad.toml", "start.ids", "99"]);
}

#[test]
fn population_too_large_for_memory_is_refused_fast_in_gib() {
    // m = 20 makes the need (terabytes) exceed any test machine's memory.
    let text = small_with("size = 300", "size = 3000000000").replacen(
        SMALL_GRAPH_LINE,
        r#"graph = { model = "barabasi-albert", m = 20 }"#,
        1,
    );
    let dir = tmp();
    write(dir.path(), "bad.toml", &text);
    let started = Instant::now();
    assert_refused(
        dir.path(),
        &["bad.toml"],
        &["bad.toml", "GiB", "3000000000"],
    );
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "refusing a huge population took {took:?}"
    );
}

#[test]
fn zero_threads_is_refused() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    assert_refused(
        dir.path(),
        &["small.toml", "--threads", "0"],
        &["--threads"],
    );
}

#[test]
fn zero_runs_is_refused() {
    let dir = tmp();
    write(dir.path(), "small.toml", SMALL);
    assert_refused(dir.path(), &["small.toml", "--runs", "0"], &["runs"]);
}

// ---------------------------------------------------------------------------
// commsim graph
// ---------------------------------------------------------------------------

const GRAPH_ARGS: [&str; 11] = [
    "graph",
    "--model",
    "barabasi-albert",
    "--size",
    "500",
    "--m",
    "2",
    "--seed",
    "3",
    "-o",
    "g.edges",
];

#[test]
fn graph_command_writes_an_edge_list_a_file_scenario_can_run() {
    let dir = tmp();
    let out = commsim(&GRAPH_ARGS, dir.path());
    check(&out, 0, &[]);
    assert!(
        stdout(&out).contains("among 500 people"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        listing(dir.path()).into_iter().collect::<Vec<_>>(),
        ["g.edges"],
        "only the edge list is written"
    );
    write(dir.path(), "f.toml", &small_on_graph_file());
    run_ok(&["f.toml", "--out", "res"], dir.path());
    let meta = read_text(&dir.path().join("res/meta.json"));
    assert!(meta.contains("\"population\": 500"), "{meta}");
    let resolved = read_text(&dir.path().join("res/scenario.toml"));
    assert!(resolved.contains("size = 500"), "{resolved}");
}

#[test]
fn graph_command_is_deterministic_in_its_seed() {
    let dir = tmp();
    check(&commsim(&GRAPH_ARGS, dir.path()), 0, &[]);
    let mut args = GRAPH_ARGS;
    args[10] = "same.edges";
    check(&commsim(&args, dir.path()), 0, &[]);
    args[10] = "other.edges";
    args[8] = "4";
    check(&commsim(&args, dir.path()), 0, &[]);
    let files = read_results(dir.path());
    assert_eq!(
        files["g.edges"], files["same.edges"],
        "same seed, other graph"
    );
    assert_ne!(files["g.edges"], files["other.edges"], "seed is ignored");
}

#[test]
fn graph_command_refuses_to_overwrite_without_force() {
    let dir = tmp();
    let existing = write(dir.path(), "g.edges", "0 1\n");
    let out = commsim(&GRAPH_ARGS, dir.path());
    check(&out, 2, &["g.edges", "--force"]);
    assert_eq!(
        read_text(&existing),
        "0 1\n",
        "the refusal changed the file"
    );
    assert_eq!(listing(dir.path()).len(), 1, "{:?}", listing(dir.path()));

    let mut forced = GRAPH_ARGS.to_vec();
    forced.push("--force");
    check(&commsim(&forced, dir.path()), 0, &[]);
    assert!(read_text(&existing).contains("500 nodes"));
}

#[test]
fn graph_command_refuses_odd_watts_strogatz_k_naming_it() {
    let dir = tmp();
    let out = commsim(
        &[
            "graph",
            "--model",
            "watts-strogatz",
            "--size",
            "100",
            "--k",
            "5",
            "-o",
            "g.edges",
        ],
        dir.path(),
    );
    check(&out, 2, &["k", "even"]);
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
}

#[test]
#[cfg(unix)]
fn graph_command_refuses_a_graph_too_large_for_memory_fast_in_gib() {
    let dir = tmp();
    // The address-space limit keeps a build without the check from touching
    // real memory: its allocation then fails at once instead.
    let started = Instant::now();
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "ulimit -v 8000000 && exec \"$0\" \"$@\"",
            crate::util::BIN,
            "graph",
            "--model",
            "barabasi-albert",
            "--size",
            "3000000000",
            "--m",
            "20",
            "-o",
            "huge.edges",
        ])
        .current_dir(dir.path())
        .output()
        .expect("sh runs");
    let took = started.elapsed();
    check(&out, 2, &["GiB"]);
    assert!(took < Duration::from_secs(1), "refusal took {took:?}");
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
}

// ---------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------

#[test]
fn help_exits_zero_and_lists_subcommands() {
    let dir = tmp();
    let out = commsim(&["--help"], dir.path());
    check(&out, 0, &[]);
    let text = stdout(&out);
    assert!(text.contains("run") && text.contains("graph"), "{text}");
}

#[test]
fn run_help_exits_zero_and_lists_flags() {
    let dir = tmp();
    let out = commsim(&["run", "--help"], dir.path());
    check(&out, 0, &[]);
    let text = stdout(&out);
    for flag in ["--out", "--force", "--threads", "--runs", "--seed"] {
        assert!(text.contains(flag), "run --help lacks {flag}\n{text}");
    }
}
