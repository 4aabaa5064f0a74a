//! End-to-end tests of `commsim sweep`, `commsim merge` and
//! `commsim sensitivity`: that each design computes the documented points,
//! that bad sweep files are refused before anything is written, that results
//! do not depend on sharding, resuming or being killed, and that merge
//! reports missing and duplicate points in Slurm's `--array` syntax.
//!
//! Scenarios are tiny (200 people, 15 days, 2 runs per point), so that a
//! point takes a fraction of a second.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::util::{
    check, column, commsim, describe, read_csv, read_results, read_text, small_with, stdout, write,
    BIN,
};

fn tmp() -> TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// The base scenario of these tests: util's SMALL with 200 people and 15 days.
fn base() -> String {
    small_with("size = 300", "size = 200").replacen("days = 20", "days = 15", 1)
}

/// Writes base.toml and `name` (a sweep file whose text is `body` after a
/// `base`, `runs` and `seed` header) into `dir`.
fn sweep_file(dir: &Path, name: &str, body: &str) {
    write(dir, "base.toml", &base());
    write(
        dir,
        name,
        &format!("base = \"base.toml\"\nruns = 2\nseed = 11\n{body}"),
    );
}

/// A grid of 2 × 3 = 6 points with a heatmap.
const GRID: &str = r#"design = "grid"

[[param]]
path = "content.quality"
values = [0.2, 0.8]

[[param]]
path = "channel[0].daily"
from = 2
to = 6
steps = 3

[heatmap]
x = "content.quality"
y = "channel[0].daily"
metric = "peak_members"
"#;

/// A Saltelli design: 3 base samples × (2 parameters + 2) = 12 points.
const SALTELLI: &str = r#"design = "saltelli"
samples = 3
metrics = ["peak_members", "total_joined"]

[[param]]
path = "invite.rate"
min = 0.0
max = 0.2

[[param]]
path = "start.members"
min = 5
max = 25
"#;

/// Runs `commsim` and asserts success.
fn ok(args: &[&str], cwd: &Path) -> String {
    let out = commsim(args, cwd);
    check(&out, 0, &[]);
    stdout(&out)
}

/// The files a finished sweep folder holds that must not depend on how the
/// sweep was run: everything but the shard manifests (which record threads
/// and timings) and the point files (compared separately).
fn final_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    read_results(dir)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("shards/") && !k.starts_with("points/"))
        .collect()
}

fn assert_same_files(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: different files"
    );
    for (name, bytes) in a {
        assert!(bytes == &b[name], "{what}: {name} differs");
    }
}

/// The header of runs.csv as `commsim run` writes it for the base scenario.
fn runs_header(dir: &Path) -> Vec<String> {
    write(dir, "base.toml", &base());
    ok(&["run", "base.toml", "--out", "run-base", "-q"], dir);
    read_csv(&dir.join("run-base/runs.csv")).0
}

// ---------------------------------------------------------------------------
// Designs
// ---------------------------------------------------------------------------

#[test]
fn grid_sweep_writes_every_point_and_run_in_documented_order() {
    let dir = tmp();
    let d = dir.path();
    sweep_file(d, "grid.toml", GRID);
    let text = ok(&["sweep", "grid.toml", "--out", "out"], d);
    assert!(text.contains("6 points of 2 runs"), "{text}");
    let out = d.join("out");

    let (header, rows) = read_csv(&out.join("points.csv"));
    assert_eq!(
        header,
        ["point", "seed", "content.quality", "channel[0].daily"]
    );
    let values: Vec<(&str, &str)> = rows.iter().map(|r| (&r[2][..], &r[3][..])).collect();
    assert_eq!(
        values,
        [
            ("0.2", "2.0"),
            ("0.2", "4.0"),
            ("0.2", "6.0"),
            ("0.8", "2.0"),
            ("0.8", "4.0"),
            ("0.8", "6.0")
        ],
        "the first parameter varies slowest"
    );
    let seeds: std::collections::BTreeSet<&String> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(seeds.len(), 6, "every point has its own seed");

    // results.csv: `point`, then exactly runs.csv's columns, so columns
    // added to runs.csv appear here too.
    let (header, rows) = read_csv(&out.join("results.csv"));
    let mut expected = vec!["point".to_string()];
    expected.extend(runs_header(d));
    assert_eq!(header, expected);
    assert_eq!(rows.len(), 6 * 2);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), header.len());
        assert_eq!(row[0], (i / 2).to_string(), "point of row {i}");
        assert_eq!(row[1], (i % 2).to_string(), "run of row {i}");
    }

    // summary.csv: one row per point and metric; the mean and the 95%
    // interval (t with 1 degree of freedom for 2 runs) from the runs' rows.
    let peak = column(&header, "peak_members");
    let (sh, srows) = read_csv(&out.join("summary.csv"));
    assert_eq!(sh, ["point", "metric", "n", "mean", "sd", "low", "high"]);
    let metrics = header.len() - 3;
    assert_eq!(srows.len(), 6 * metrics);
    let row = srows
        .iter()
        .find(|r| r[0] == "4" && r[1] == "peak_members")
        .expect("point 4's peak_members");
    let v: Vec<f64> = rows[8..10]
        .iter()
        .map(|r| r[peak].parse().unwrap())
        .collect();
    let mean = (v[0] + v[1]) / 2.0;
    let sd = (v[0] - v[1]).abs() / 2f64.sqrt();
    let half = 12.706_204_736 * sd / 2f64.sqrt();
    let num = |s: &str| s.parse::<f64>().unwrap();
    assert_eq!(row[2], "2");
    assert!((num(&row[3]) - mean).abs() < 1e-6, "{row:?} vs {v:?}");
    if sd > 0.0 {
        assert!((num(&row[5]) - (mean - half)).abs() < 1e-5, "{row:?}");
        assert!((num(&row[6]) - (mean + half)).abs() < 1e-5, "{row:?}");
    }

    // The heatmap, as an SVG naming the metric and as a PNG.
    let svg = read_text(&out.join("heatmap.svg"));
    assert!(
        svg.starts_with("<svg") && svg.contains("peak_members"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    let png = std::fs::read(out.join("heatmap.png")).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "heatmap.png is not a PNG"
    );
}

#[test]
fn list_design_zips_values_and_needs_equal_lengths() {
    let dir = tmp();
    let d = dir.path();
    let list = r#"design = "list"
[[param]]
path = "content.quality"
values = [0.1, 0.5, 0.9]
[[param]]
path = "leave.friends.mode"
values = ["off", "threshold", "contagion"]
"#;
    sweep_file(d, "list.toml", list);
    ok(&["sweep", "list.toml", "--out", "out", "-q"], d);
    let (_, rows) = read_csv(&d.join("out/points.csv"));
    let pairs: Vec<(&str, &str)> = rows.iter().map(|r| (&r[2][..], &r[3][..])).collect();
    assert_eq!(
        pairs,
        [("0.1", "off"), ("0.5", "threshold"), ("0.9", "contagion")]
    );

    sweep_file(d, "short.toml", &list.replace("0.1, 0.5, 0.9", "0.1, 0.5"));
    let out = commsim(&["sweep", "short.toml", "--out", "out2"], d);
    check(
        &out,
        2,
        &[
            "same number of values",
            "content.quality",
            "leave.friends.mode",
        ],
    );
    assert!(!d.join("out2").exists());
}

#[test]
fn lhs_design_puts_one_point_in_each_stratum_and_rounds_integer_fields() {
    let dir = tmp();
    let d = dir.path();
    sweep_file(
        d,
        "lhs.toml",
        r#"design = "lhs"
samples = 6
[[param]]
path = "content.quality"
min = 0.0
max = 0.6
[[param]]
path = "start.members"
min = 5
max = 17
"#,
    );
    ok(&["sweep", "lhs.toml", "--out", "out", "-q"], d);
    let (_, rows) = read_csv(&d.join("out/points.csv"));
    assert_eq!(rows.len(), 6);
    let mut strata: Vec<usize> = rows
        .iter()
        .map(|r| (r[2].parse::<f64>().unwrap() / 0.1) as usize)
        .collect();
    strata.sort_unstable();
    assert_eq!(
        strata,
        [0, 1, 2, 3, 4, 5],
        "one point per sixth of the range"
    );
    for r in &rows {
        let m: u32 = r[3]
            .parse()
            .unwrap_or_else(|_| panic!("start.members = {} is not a whole number", r[3]));
        assert!((5..=17).contains(&m), "{m}");
    }
    // The design is drawn from the sweep seed: the same file gives the same
    // points.
    ok(&["sweep", "lhs.toml", "--out", "again", "-q"], d);
    assert_eq!(
        read_text(&d.join("out/points.csv")),
        read_text(&d.join("again/points.csv"))
    );
}

// ---------------------------------------------------------------------------
// Bad sweep files
// ---------------------------------------------------------------------------

#[test]
fn bad_path_is_refused_naming_it_and_the_fields_that_exist() {
    let dir = tmp();
    let d = dir.path();
    for (path, needles) in [
        (
            "content.qualty",
            &["content.qualty", "no field `qualty`", "quality", "schedule"][..],
        ),
        (
            "channel[2].daily",
            &["channel[2].daily", "1 entry, channel[0]"][..],
        ),
        (
            "strategy.fee.amount",
            &[
                "strategy.fee.amount",
                "no field `strategy`",
                "content",
                "invite",
            ][..],
        ),
    ] {
        sweep_file(
            d,
            "bad.toml",
            &format!("design = \"grid\"\n[[param]]\npath = \"{path}\"\nvalues = [1]\n"),
        );
        let out = commsim(&["sweep", "bad.toml", "--out", "out"], d);
        let mut all = vec!["bad.toml"];
        all.extend_from_slice(needles);
        check(&out, 2, &all);
        assert!(!d.join("out").exists(), "{path}: nothing may be written");
    }
}

#[test]
fn field_left_at_its_default_can_be_swept() {
    // base.toml sets no [leave] table; its fields still exist (defaults).
    let dir = tmp();
    let d = dir.path();
    sweep_file(
        d,
        "s.toml",
        "design = \"grid\"\n[[param]]\npath = \"leave.value\"\nvalues = [0.5, 2.0]\n",
    );
    ok(&["sweep", "s.toml", "--out", "out", "-q"], d);
    let (_, rows) = read_csv(&d.join("out/points.csv"));
    assert_eq!(rows.len(), 2);
}

#[test]
fn whole_tables_can_be_swept_and_a_bad_one_names_its_field() {
    let dir = tmp();
    let d = dir.path();
    let body = r#"design = "list"
[[param]]
path = "population.graph"
values = [{ model = "erdos-renyi", mean_degree = 6 }, { model = "watts-strogatz", k = 4, rewire = 0.1 }]
"#;
    sweep_file(d, "t.toml", body);
    ok(&["sweep", "t.toml", "--out", "out", "-q"], d);
    // Inline TOML in a quoted CSV field (util::read_csv does not unquote).
    let text = read_text(&d.join("out/points.csv"));
    let cells: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap().1)
        .collect();
    assert!(
        cells[0].ends_with(r#","{ mean_degree = 6, model = ""erdos-renyi"" }""#),
        "{text}"
    );
    assert!(
        cells[1].ends_with(r#","{ k = 4, model = ""watts-strogatz"", rewire = 0.1 }""#),
        "{text}"
    );

    sweep_file(d, "t.toml", &body.replace("k = 4, ", "k = 4, m = 2, "));
    let out = commsim(&["sweep", "t.toml", "--out", "bad"], d);
    check(&out, 2, &["point 1", "unknown field `m`"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line, no excerpt of generated text: {stderr}"
    );
}

#[test]
fn bad_value_is_refused_naming_the_point_and_the_field() {
    let dir = tmp();
    let d = dir.path();
    sweep_file(
        d,
        "bad.toml",
        "design = \"grid\"\n[[param]]\npath = \"content.quality\"\nvalues = [0.5, 1.5]\n",
    );
    let out = commsim(&["sweep", "bad.toml", "--out", "out"], d);
    check(
        &out,
        2,
        &[
            "bad.toml",
            "point 1",
            "content.quality = 1.5",
            "field `content.quality` = 1.5 is out of range: allowed 0 to 1",
        ],
    );
    assert!(!d.join("out").exists());
}

#[test]
fn sweep_file_mistakes_are_refused_with_what_is_allowed() {
    let dir = tmp();
    let d = dir.path();
    let q = "[[param]]\npath = \"content.quality\"\n";
    for (body, needles) in [
        ("design = \"grid\"\nrun = 3\n", &["unknown field `run`"][..]),
        ("design = \"cube\"\n", &["cube", "grid"][..]),
        (&format!("design = \"lhs\"\n{q}min = 0\nmax = 1\n")[..], &["needs `samples`"][..]),
        (&format!("design = \"grid\"\n{q}min = 0\nmax = 1\n")[..], &["`min` and `max` are for"][..]),
        (&format!("design = \"lhs\"\nsamples = 4\n{q}values = [1]\n")[..], &["between `min` and `max`"][..]),
        (&format!("design = \"lhs\"\nsamples = 4\n{q}min = 0.9\nmax = 0.1\n")[..], &["must be less than"][..]),
        ("design = \"grid\"\n[[param]]\npath = \"start.members\"\nvalues = [5, 7.5]\n", &["whole numbers", "7.5"][..]),
        ("design = \"grid\"\n[[param]]\npath = \"start.members\"\nfrom = 5\nto = 10\nsteps = 3\n", &["whole", "7.5"][..]),
        ("design = \"grid\"\n[[param]]\npath = \"leave.friends.mode\"\nvalues = [\"off\", 2]\n", &["holds text", "whole number"][..]),
        (&format!("design = \"grid\"\nmetrics = [\"peak_members\"]\n{q}values = [0.1]\n")[..], &["saltelli and morris"][..]),
        (&format!("design = \"morris\"\ntrajectories = 4\nlevels = 3\n{q}min = 0\nmax = 1\n")[..], &["`levels` = 3", "even"][..]),
        (&format!("design = \"saltelli\"\nsamples = 4\nmetrics = [\"peak\"]\n{q}min = 0\nmax = 1\n")[..], &["unknown metric `peak`", "peak_members"][..]),
        (&format!("design = \"grid\"\n{q}values = [0.1]\n[heatmap]\nx = \"content.quality\"\ny = \"days\"\nmetric = \"peak_members\"\n")[..], &["exactly two parameters"][..]),
        ("design = \"grid\"\n[[param]]\npath = \"seed\"\nvalues = [1]\n", &["`seed` cannot be swept"][..]),
        ("design = \"grid\"\n[[param]]\npath = \"content..quality\"\nvalues = [1]\n", &["empty field name"][..]),
        ("design = \"grid\"\n", &["no parameters"][..]),
    ] {
        sweep_file(d, "bad.toml", body);
        let out = commsim(&["sweep", "bad.toml", "--out", "out"], d);
        check(&out, 2, needles);
        assert!(!d.join("out").exists(), "{body}");
    }
}

// ---------------------------------------------------------------------------
// Reproducibility: shards, resume, kill -9
// ---------------------------------------------------------------------------

#[test]
fn four_shards_and_merge_equal_one_process_byte_for_byte() {
    for (name, body) in [("grid", GRID), ("saltelli", SALTELLI)] {
        let dir = tmp();
        let d = dir.path();
        let file = format!("{name}.toml");
        sweep_file(d, &file, body);
        ok(&["sweep", &file, "--out", "one", "-q", "--threads", "2"], d);
        let one = final_files(&d.join("one"));
        assert!(one.contains_key("results.csv") && one.contains_key("plan.json"));
        if name == "saltelli" {
            assert!(one.contains_key("sensitivity.csv"));
        } else {
            assert!(one.contains_key("heatmap.png"));
        }

        // Four shards sharing one folder, started at the same moment as on
        // a cluster (they race to create the folder and its plan), then
        // merged.
        let shards: Vec<_> = (0..4)
            .map(|i| {
                Command::new(BIN)
                    .args([
                        "sweep",
                        &file,
                        "--out",
                        "shared",
                        "--shard",
                        &format!("{i}/4"),
                    ])
                    .args(["--threads", "1"])
                    .current_dir(d)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start a shard")
            })
            .collect();
        for child in shards {
            let out = child.wait_with_output().unwrap();
            check(&out, 0, &[]);
            assert!(stdout(&out).contains("commsim merge"), "{}", describe(&out));
        }
        assert!(
            !d.join("shared/results.csv").exists(),
            "shards do not assemble"
        );
        ok(&["merge", "shared"], d);
        assert_same_files(
            &one,
            &final_files(&d.join("shared")),
            &format!("{name}: shared folder"),
        );
        let points = |dir: &str| -> BTreeMap<String, Vec<u8>> {
            read_results(&d.join(dir))
                .into_iter()
                .filter(|(k, _)| k.starts_with("points/"))
                .collect()
        };
        assert_same_files(
            &points("one"),
            &points("shared"),
            &format!("{name}: point files"),
        );

        // One folder per shard, merged into a new folder.
        for i in 0..4 {
            let (shard, out) = (format!("{i}/4"), format!("part{i}"));
            ok(&["sweep", &file, "--out", &out, "--shard", &shard, "-q"], d);
        }
        ok(
            &[
                "merge", "part0", "part1", "part2", "part3", "--out", "merged",
            ],
            d,
        );
        assert_same_files(
            &one,
            &final_files(&d.join("merged")),
            &format!("{name}: separate folders"),
        );
    }
}

#[test]
fn a_point_reruns_alone_with_commsim_run_and_its_seed() {
    // A point's results depend only on (sweep seed, point, run): the base
    // scenario with the point's values, run with the seed in points.csv,
    // gives the same runs as the sweep.
    let dir = tmp();
    let d = dir.path();
    sweep_file(d, "grid.toml", GRID);
    ok(&["sweep", "grid.toml", "--out", "out", "-q"], d);
    let (_, points) = read_csv(&d.join("out/points.csv"));
    let p = &points[4];
    let scenario = base().replacen("daily = 5", &format!("daily = {}", p[3]), 1)
        + &format!("\n[content]\nquality = {}\n", p[2]);
    write(d, "point4.toml", &scenario);
    ok(
        &[
            "run",
            "point4.toml",
            "--seed",
            &p[1],
            "--runs",
            "2",
            "--out",
            "p4",
            "-q",
        ],
        d,
    );
    let runs = read_text(&d.join("p4/runs.csv"));
    let results = read_text(&d.join("out/results.csv"));
    let mine: Vec<String> = results
        .lines()
        .filter(|l| l.starts_with("4,"))
        .map(|l| l[2..].to_string())
        .collect();
    assert_eq!(runs.lines().skip(1).collect::<Vec<_>>(), mine);
}

#[test]
fn resume_runs_only_the_missing_points() {
    let dir = tmp();
    let d = dir.path();
    sweep_file(d, "grid.toml", GRID);
    ok(&["sweep", "grid.toml", "--out", "out", "-q"], d);
    let before = final_files(&d.join("out"));
    let all_points = read_results(&d.join("out/points"));

    std::fs::remove_file(d.join("out/points/000002.csv")).unwrap();
    std::fs::remove_file(d.join("out/results.csv")).unwrap();
    // Without --resume, finding finished points is an error.
    let out = commsim(&["sweep", "grid.toml", "--out", "out"], d);
    check(&out, 2, &["already holds 5 of these points", "--resume"]);

    let text = ok(&["sweep", "grid.toml", "--out", "out", "--resume"], d);
    assert!(
        text.contains("ran 1 point ") && text.contains("(5 already complete)"),
        "{text}"
    );
    assert_same_files(&before, &final_files(&d.join("out")), "after resume");
    assert_eq!(all_points, read_results(&d.join("out/points")));

    // A folder holding other files is not a sweep folder.
    write(d, "notes/notes.txt", "mine");
    let out = commsim(&["sweep", "grid.toml", "--out", "notes"], d);
    check(&out, 2, &["holds no sweep"]);
    assert_eq!(read_text(&d.join("notes/notes.txt")), "mine");

    // A changed sweep cannot resume into the folder.
    sweep_file(d, "grid.toml", &GRID.replace("0.2, 0.8", "0.2, 0.9"));
    let out = commsim(&["sweep", "grid.toml", "--out", "out", "--resume"], d);
    check(&out, 2, &["holds another sweep", "plan"]);
}

#[test]
fn kill_9_mid_sweep_loses_only_points_in_flight_and_resume_completes_it() {
    let dir = tmp();
    let d = dir.path();
    // 30 points of a larger population, so that the sweep runs for seconds.
    write(
        d,
        "base.toml",
        &small_with("size = 300", "size = 4000").replacen("days = 20", "days = 40", 1),
    );
    write(
        d,
        "slow.toml",
        "base = \"base.toml\"\nruns = 2\nseed = 3\ndesign = \"grid\"\n[[param]]\npath = \"invite.rate\"\nfrom = 0.01\nto = 0.3\nsteps = 30\n",
    );
    let mut child = Command::new(BIN)
        .args(["sweep", "slow.toml", "--out", "out", "--threads", "1", "-q"])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start commsim");
    let points = d.join("out/points");
    let started = Instant::now();
    let finished = |dir: &Path| -> usize {
        std::fs::read_dir(dir).map_or(0, |e| {
            e.filter(|e| {
                let e = e.as_ref().unwrap();
                !e.file_name().to_string_lossy().starts_with('.')
            })
            .count()
        })
    };
    while finished(&points) < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no point finished within a minute"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
    child.wait().unwrap();

    // What is left: a valid plan and complete point files (plus, perhaps,
    // a hidden temporary file of the point in flight), no results.
    let left = finished(&points);
    assert!((3..30).contains(&left), "{left} points finished");
    let plan: serde_json::Value =
        serde_json::from_str(&read_text(&d.join("out/plan.json"))).expect("plan.json parses");
    assert_eq!(plan["points"].as_array().unwrap().len(), 30);
    for entry in std::fs::read_dir(&points).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with('.') {
            continue;
        }
        let (header, rows) = read_csv(&path);
        assert_eq!(header[0], "point", "{}", path.display());
        assert_eq!(rows.len(), 2, "{} is incomplete", path.display());
        assert!(
            rows.iter().all(|r| r.len() == header.len()),
            "{}",
            path.display()
        );
    }
    assert!(!d.join("out/results.csv").exists());

    let text = ok(&["sweep", "slow.toml", "--out", "out", "--resume"], d);
    assert!(
        text.contains(&format!("({left} already complete)")),
        "{text}"
    );
    let hidden: Vec<String> = std::fs::read_dir(&points)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "temporary files left: {hidden:?}");
    ok(&["sweep", "slow.toml", "--out", "whole", "-q"], d);
    assert_same_files(
        &final_files(&d.join("whole")),
        &final_files(&d.join("out")),
        "killed and resumed vs uninterrupted",
    );
}

// ---------------------------------------------------------------------------
// Merge
// ---------------------------------------------------------------------------

#[test]
fn merge_lists_missing_and_duplicate_points_in_sbatch_array_syntax() {
    let dir = tmp();
    let d = dir.path();
    // 12 points: shard i of 4 has points i, i + 4, i + 8.
    sweep_file(
        d,
        "g.toml",
        "design = \"grid\"\n[[param]]\npath = \"content.quality\"\nfrom = 0.05\nto = 0.6\nsteps = 12\n",
    );
    ok(
        &["sweep", "g.toml", "--out", "a", "--shard", "0/4", "-q"],
        d,
    );
    ok(
        &["sweep", "g.toml", "--out", "b", "--shard", "0/4", "-q"],
        d,
    );
    ok(
        &["sweep", "g.toml", "--out", "b", "--shard", "1/4", "-q"],
        d,
    );
    let out = commsim(&["merge", "a", "b", "--out", "m"], d);
    check(
        &out,
        2,
        &[
            "6 of 12 points are missing: 2-3,6-7,10-11",
            "shards 2-3 of 4",
            "sbatch --array=2-3",
            "COMMSIM_SHARDS=4",
            "nothing was written",
        ],
    );
    let text = stdout(&out);
    assert!(
        text.contains("duplicate points (identical copies; one is used): 0,4,8"),
        "{}",
        describe(&out)
    );
    assert!(!d.join("m").exists());

    // The missing shards, rerun as the message says, complete the sweep.
    ok(
        &[
            "sweep", "g.toml", "--out", "b", "--shard", "2/4", "--resume", "-q",
        ],
        d,
    );
    ok(
        &[
            "sweep", "g.toml", "--out", "b", "--shard", "3/4", "--resume", "-q",
        ],
        d,
    );
    ok(&["merge", "a", "b", "--out", "m"], d);
    let (_, rows) = read_csv(&d.join("m/results.csv"));
    assert_eq!(rows.len(), 12 * 2);

    // A damaged duplicate is refused, naming both copies.
    let p = d.join("b/points/000004.csv");
    let text = read_text(&p).replacen("4,0,", "4,0,9", 1);
    std::fs::write(&p, text).unwrap();
    let out = commsim(&["merge", "a", "b", "--out", "m2"], d);
    check(&out, 2, &["point 4 differs", "000004.csv"]);
}

#[test]
fn merge_refuses_folders_of_different_sweeps() {
    let dir = tmp();
    let d = dir.path();
    sweep_file(d, "g.toml", GRID);
    ok(&["sweep", "g.toml", "--out", "a", "-q"], d);
    write(
        d,
        "g.toml",
        &read_text(&d.join("g.toml")).replace("seed = 11", "seed = 12"),
    );
    ok(&["sweep", "g.toml", "--out", "b", "-q"], d);
    let out = commsim(&["merge", "a", "b", "--out", "m"], d);
    check(&out, 2, &["different sweeps", "plan"]);
    assert!(!d.join("m").exists());
    let out = commsim(&["merge", "base.toml"], d);
    check(&out, 2, &["not a sweep folder"]);
}

// ---------------------------------------------------------------------------
// Sensitivity
// ---------------------------------------------------------------------------

#[test]
fn sensitivity_is_written_for_morris_and_recomputed_for_chosen_metrics() {
    let dir = tmp();
    let d = dir.path();
    sweep_file(
        d,
        "m.toml",
        r#"design = "morris"
trajectories = 3
[[param]]
path = "content.quality"
min = 0.1
max = 0.9
[[param]]
path = "invite.rate"
min = 0.0
max = 0.2
"#,
    );
    ok(&["sweep", "m.toml", "--out", "out", "-q"], d);
    let (header, rows) = read_csv(&d.join("out/sensitivity.csv"));
    assert_eq!(header, ["metric", "parameter", "mu", "mu_star", "sigma"]);
    // Every metric by default, two parameters each.
    let metrics = read_csv(&d.join("out/results.csv")).0.len() - 3;
    assert_eq!(rows.len(), 2 * metrics);
    for r in &rows {
        if !r[3].is_empty() {
            assert!(
                r[3].parse::<f64>().unwrap() >= 0.0,
                "μ* is a mean of absolute values: {r:?}"
            );
        }
    }
    let text = ok(&["sensitivity", "out", "--metric", "total_joined"], d);
    assert!(
        text.contains("mu_star") && text.contains("invite.rate"),
        "{text}"
    );
    // Chosen metrics get their own file; sensitivity.csv is left as merge
    // wrote it (regression: `--metric` used to overwrite it).
    let (_, rows) = read_csv(&d.join("out/sensitivity-total_joined.csv"));
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r[0] == "total_joined"));
    let (_, all_rows) = read_csv(&d.join("out/sensitivity.csv"));
    assert!(all_rows.len() > 2, "sensitivity.csv was overwritten");

    let out = commsim(&["sensitivity", "out", "--metric", "nope"], d);
    check(&out, 2, &["unknown metric `nope`"]);
    sweep_file(d, "g.toml", GRID);
    ok(&["sweep", "g.toml", "--out", "grid", "-q"], d);
    let out = commsim(&["sensitivity", "grid"], d);
    check(&out, 2, &["saltelli or morris"]);
}

#[test]
fn small_saltelli_sweeps_warn_of_wide_intervals() {
    // 3 base samples give bootstrap intervals far wider than 0.1 for any
    // metric that varies: the sweep, merge and `commsim sensitivity` warn on
    // stderr (even with -q) with the suggested base samples, and the
    // widths in sensitivity.csv agree with what the warnings say.
    let dir = tmp();
    let d = dir.path();
    sweep_file(d, "s.toml", SALTELLI);
    let out = commsim(&["sweep", "s.toml", "--out", "out", "-q"], d);
    check(&out, 0, &[]);
    let sweep_stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let (header, rows) = read_csv(&d.join("out/sensitivity.csv"));
    assert_eq!(
        header,
        [
            "metric",
            "parameter",
            "S1",
            "S1_low",
            "S1_high",
            "ST",
            "ST_low",
            "ST_high"
        ]
    );
    // Each expected warning: its text up to "; about ", and the range of
    // base samples it may suggest. sensitivity.csv rounds each bound to 6
    // decimals, so a width read back from it is within 1e-6 of the one the
    // warning used, and the suggested count (3·(width/0.1)², rounded up)
    // may differ by the rounding that allows.
    let mut expected: Vec<(String, f64, f64)> = Vec::new();
    let needed = |width: f64| (3.0 * (width / 0.1f64).powi(2) - 1e-9).ceil();
    for r in &rows {
        for (name, low, high) in [("S1", 3, 4), ("ST", 6, 7)] {
            let (Ok(low), Ok(high)) = (r[low].parse::<f64>(), r[high].parse::<f64>()) else {
                continue;
            };
            let width = high - low;
            if width > 0.1 {
                expected.push((
                    format!(
                        "warning: {name} of {} for {} has a 95% interval {:.2} wide",
                        r[1],
                        r[0],
                        (width * 100.0).ceil() / 100.0
                    ),
                    needed(width - 1e-6),
                    needed(width + 1e-6),
                ));
            }
        }
    }
    assert!(!expected.is_empty(), "no wide interval in {rows:?}");
    let lines: Vec<&str> = sweep_stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(lines.len(), expected.len(), "{sweep_stderr}");
    for (line, (head, least, most)) in lines.iter().zip(&expected) {
        let (got_head, rest) = line
            .split_once("; about ")
            .unwrap_or_else(|| panic!("no suggested sample count in {line:?}"));
        assert_eq!(got_head, head, "{sweep_stderr}");
        let (count, tail) = rest
            .split_once(' ')
            .unwrap_or_else(|| panic!("no count in {line:?}"));
        let count: f64 = count
            .parse()
            .unwrap_or_else(|_| panic!("count in {line:?}"));
        assert!(
            (*least..=*most).contains(&count),
            "{line:?}: expected {least}..={most} base samples"
        );
        assert_eq!(
            tail, "base samples (now 3) would bring it under 0.1",
            "{line:?}"
        );
    }

    let out = commsim(&["sensitivity", "out", "-q"], d);
    check(&out, 0, &[]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), sweep_stderr);
    let out = commsim(&["merge", "out", "-q"], d);
    check(&out, 0, &[]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), sweep_stderr);
    // Only the chosen metric's warnings with --metric.
    let out = commsim(&["sensitivity", "out", "--metric", "total_joined"], d);
    check(&out, 0, &[]);
    let chosen: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|w| w.contains(" for total_joined "))
        .collect();
    assert!(!chosen.is_empty());
    let got: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(got, chosen);
    assert!(!stdout(&out).contains("warning"), "warnings go to stderr");

    // A Morris sweep has no intervals and no warnings.
    sweep_file(
        d,
        "m.toml",
        "design = \"morris\"\ntrajectories = 2\n[[param]]\npath = \"invite.rate\"\nmin = 0.0\nmax = 0.2\n",
    );
    let out = commsim(&["sweep", "m.toml", "--out", "morris", "-q"], d);
    check(&out, 0, &[]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

/// Wilson's 95% score interval for k successes in n trials, written out here
/// independently of the crate's `stats::wilson`.
fn wilson_95(k: usize, n: usize) -> (f64, f64) {
    let (k, n, z) = (k as f64, n as f64, 1.959_963_985);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / d;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The shipped sweep scenarios/sweeps/self-sustaining.toml, run as shipped
/// (48 points of 100 runs, about 20 seconds): its heatmap must show both
/// regimes, cells where at least half of the runs are self-sustaining and
/// cells where at most 10% are.
///
/// Tolerance from the binomial standard error: a cell's share of 100 runs
/// has a standard error of at most 0.05, so an observed share is not taken
/// at face value. A cell counts as "at least 50%" only if the lower end of
/// its 95% Wilson interval is at least 0.5, and as "at most 10%" only if the
/// upper end is at most 0.10: in both cases the true share (over infinitely
/// many runs) is on the claimed side with 95% confidence, so a cell just
/// over the line by chance does not count. The test also checks that
/// summary.csv reports each share and its Wilson interval from the runs'
/// rows, and that funds_out_day (empty when money never ran out) is
/// summarised over the runs where it happened.
#[test]
fn self_sustaining_sweep_shows_both_regimes() {
    let dir = tmp();
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join("sweeps")
        .join("self-sustaining.toml");
    ok(
        &["sweep", file.to_str().unwrap(), "--out", "s", "-q"],
        dir.path(),
    );
    let out = dir.path().join("s");
    let (header, rows) = read_csv(&out.join("results.csv"));
    let sustain = column(&header, "self_sustaining");
    let funds_out = column(&header, "funds_out_day");
    let (_, points) = read_csv(&out.join("points.csv"));
    let mut by_point: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for row in &rows {
        let e = by_point.entry(row[0].clone()).or_default();
        assert!(
            ["true", "false"].contains(&row[sustain].as_str()),
            "{row:?}"
        );
        e.0 += 1;
        e.1 += usize::from(row[sustain] == "true");
        e.2 += usize::from(!row[funds_out].is_empty());
    }
    assert_eq!(by_point.len(), points.len());

    let (_, summary) = read_csv(&out.join("summary.csv"));
    let num = |s: &str| s.parse::<f64>().unwrap();
    let (mut high_cells, mut low_cells) = (Vec::new(), Vec::new());
    for (p, &(n, k, ran_out)) in &by_point {
        let row = summary
            .iter()
            .find(|r| r[0] == *p && r[1] == "self_sustaining")
            .expect("a self_sustaining row per point");
        assert_eq!(row[2], n.to_string());
        assert!((num(&row[3]) - k as f64 / n as f64).abs() < 1e-6, "{row:?}");
        let (lo, hi) = wilson_95(k, n);
        assert!(
            (num(&row[5]) - lo).abs() < 1e-5 && (num(&row[6]) - hi).abs() < 1e-5,
            "point {p}: {row:?}, Wilson {lo} to {hi}"
        );
        if lo >= 0.5 {
            high_cells.push(p.clone());
        }
        if hi <= 0.10 {
            low_cells.push(p.clone());
        }
        let f = summary
            .iter()
            .find(|r| r[0] == *p && r[1] == "funds_out_day")
            .expect("a funds_out_day row per point");
        assert_eq!(f[2], ran_out.to_string(), "runs where money ran out");
        assert_eq!(f[3].is_empty(), ran_out == 0, "{f:?}");
    }
    assert!(
        !high_cells.is_empty() && !low_cells.is_empty(),
        "both regimes: points self-sustaining in at least 50% of runs (Wilson low ≥ 0.5): {high_cells:?}; in at most 10% (Wilson high ≤ 0.1): {low_cells:?}"
    );

    // The heatmap of a share: a 0–1 scale, the contour and its key.
    let svg = read_text(&out.join("heatmap.svg"));
    for needle in [
        "self_sustaining: share of 100 runs per point",
        "share of runs",
        "50% contour",
        "100%",
    ] {
        assert!(svg.contains(needle), "heatmap.svg lacks {needle:?}");
    }
}

// ---------------------------------------------------------------------------
// Daily metrics (`column@day`) and daily bands
// ---------------------------------------------------------------------------

/// GRID's point `p` as a scenario file of its own (see
/// `a_point_reruns_alone_with_commsim_run_and_its_seed`), run with its seed
/// and the sweep's 2 runs into folder `out`.
fn rerun_grid_point(d: &Path, points: &[Vec<String>], p: usize, out: &str) {
    let row = &points[p];
    let scenario = base().replacen("daily = 5", &format!("daily = {}", row[3]), 1)
        + &format!("\n[content]\nquality = {}\n", row[2]);
    write(d, &format!("{out}.toml"), &scenario);
    ok(
        &[
            "run",
            &format!("{out}.toml"),
            "--seed",
            &row[1],
            "--runs",
            "2",
            "--out",
            out,
            "-q",
        ],
        d,
    );
}

#[test]
fn daily_metrics_are_the_runs_values_on_that_day() {
    let dir = tmp();
    let d = dir.path();
    let metrics = ["active@10", "members@15", "mean_trust@7", "messages@0"];
    let body = GRID.replace("metric = \"peak_members\"", "metric = \"active@10\"");
    let body = body.replace(
        "design = \"grid\"\n",
        &format!(
            "design = \"grid\"\nmetrics = [{}]\n",
            metrics.map(|m| format!("\"{m}\"")).join(", ")
        ),
    );
    sweep_file(d, "grid.toml", &body);
    ok(&["sweep", "grid.toml", "--out", "out", "-q"], d);
    // The daily metrics follow runs.csv's columns in results.csv.
    let (header, rows) = read_csv(&d.join("out/results.csv"));
    let runs_cols = runs_header(d);
    assert_eq!(header.len(), 1 + runs_cols.len() + metrics.len());
    assert_eq!(&header[header.len() - metrics.len()..], metrics);
    let (_, points) = read_csv(&d.join("out/points.csv"));
    let (sh, summary) = read_csv(&d.join("out/summary.csv"));
    let (sm, smean) = (column(&sh, "metric"), column(&sh, "mean"));
    assert_eq!(summary.len(), 6 * (runs_cols.len() - 2 + metrics.len()));
    // Without [output] daily, no bands are kept.
    assert!(!d.join("out/bands.csv").exists());
    assert!(!d.join("out/points/000000").exists());
    let mut varied = false;
    for p in [1, 4] {
        rerun_grid_point(d, &points, p, &format!("p{p}"));
        let (dh, daily) = read_csv(&d.join(format!("p{p}/daily.csv")));
        let (run_i, day_i) = (column(&dh, "run"), column(&dh, "day"));
        for m in metrics {
            let (col, day) = m.split_once('@').unwrap();
            let c = column(&dh, col);
            let expected: Vec<&str> = (0..2)
                .map(|r| {
                    let row = daily
                        .iter()
                        .find(|row| row[run_i] == r.to_string() && row[day_i] == day)
                        .expect("the day is in daily.csv");
                    row[c].as_str()
                })
                .collect();
            let got: Vec<&str> = rows
                .iter()
                .filter(|row| row[0] == p.to_string())
                .map(|row| row[column(&header, m)].as_str())
                .collect();
            assert_eq!(got, expected, "point {p} {m}");
            let mean = expected
                .iter()
                .map(|v| v.parse::<f64>().unwrap())
                .sum::<f64>()
                / 2.0;
            let s = summary
                .iter()
                .find(|row| row[0] == p.to_string() && row[sm] == m)
                .expect("a summary row for the daily metric");
            let got_mean: f64 = s[smean].parse().unwrap();
            assert!(
                (got_mean - mean).abs() < 1e-6,
                "point {p} {m}: {got_mean} vs {mean}"
            );
            varied |= expected[0] != expected[1];
        }
    }
    assert!(
        varied,
        "the two runs never differ: the test compares nothing"
    );
    // The heatmap draws the daily metric.
    assert!(read_text(&d.join("out/heatmap.svg")).contains("active@10"));
}

#[test]
fn sensitivity_takes_daily_metrics_the_sweep_kept() {
    let dir = tmp();
    let d = dir.path();
    let body = SALTELLI.replace(
        "metrics = [\"peak_members\", \"total_joined\"]",
        "metrics = [\"active@12\", \"total_joined\"]",
    );
    sweep_file(d, "s.toml", &body);
    ok(&["sweep", "s.toml", "--out", "out", "-q"], d);
    let (_, rows) = read_csv(&d.join("out/sensitivity.csv"));
    assert_eq!(rows.iter().filter(|r| r[0] == "active@12").count(), 2);
    ok(&["sensitivity", "out", "--metric", "active@12"], d);
    let (_, again) = read_csv(&d.join("out/sensitivity-active@12.csv"));
    assert_eq!(again, rows[..2].to_vec());
    for (metric, needles) in [
        (
            "active@3",
            &["metric `active@3` was not kept", "active@12"][..],
        ),
        ("active@16", &["active@16", "days 0 to 15"][..]),
        ("activ@3", &["no column `activ`", "members, active"][..]),
        ("active@three", &["active@three", "not a whole number"][..]),
    ] {
        let out = commsim(&["sensitivity", "out", "--metric", metric], d);
        check(&out, 2, needles);
    }
}

#[test]
fn bad_daily_metrics_are_refused_before_anything_runs() {
    let dir = tmp();
    let d = dir.path();
    let q = "[[param]]\npath = \"content.quality\"\n";
    for (body, needles) in [
        (format!("design = \"grid\"\nmetrics = [\"active@16\"]\n{q}values = [0.1]\n"), &["metric `active@16`", "days 0 to 15"][..]),
        (format!("design = \"grid\"\nmetrics = [\"activ@3\"]\n{q}values = [0.1]\n"), &["metric `activ@3`", "no column `activ`", "members, active, silent"][..]),
        (format!("design = \"grid\"\nmetrics = [\"active@\"]\n{q}values = [0.1]\n"), &["metric `active@`", "column@day"][..]),
        (format!("design = \"grid\"\nmetrics = [\"active@1.5\"]\n{q}values = [0.1]\n"), &["metric `active@1.5`", "whole number"][..]),
        (format!("design = \"grid\"\nmetrics = [\"active@3\", \"peak_members\"]\n{q}values = [0.1]\n"), &["saltelli and morris", "column@day"][..]),
        (format!("design = \"saltelli\"\nsamples = 2\nmetrics = [\"run@3\"]\n{q}min = 0\nmax = 1\n"), &["metric `run@3`", "no column `run`"][..]),
        ("design = \"grid\"\nmetrics = [\"members@12\"]\n[[param]]\npath = \"days\"\nvalues = [15, 10]\n".to_string(), &["metric `members@12`", "days 0 to 10"][..]),
        (format!("design = \"grid\"\n{q}values = [0.1, 0.2]\n[[param]]\npath = \"start.members\"\nvalues = [5, 6]\n[heatmap]\nx = \"content.quality\"\ny = \"start.members\"\nmetric = \"active@99\"\n"), &["[heatmap] metric", "active@99", "days 0 to 15"][..]),
        (format!("design = \"grid\"\n{q}values = [0.1]\n[output]\ndaily = \"yes\"\n"), &["daily"][..]),
    ] {
        sweep_file(d, "bad.toml", &body);
        let out = commsim(&["sweep", "bad.toml", "--out", "out"], d);
        check(&out, 2, needles);
        assert!(!d.join("out").exists(), "{body}");
    }
}

#[test]
fn daily_bands_are_kept_per_point_and_equal_across_shards() {
    let dir = tmp();
    let d = dir.path();
    let body = format!("{GRID}\n[output]\ndaily = true\n");
    sweep_file(d, "grid.toml", &body);
    ok(&["sweep", "grid.toml", "--out", "one", "-q"], d);
    // A point's bands are the bands.csv `commsim run` writes for its
    // scenario, byte for byte.
    let (_, points) = read_csv(&d.join("one/points.csv"));
    rerun_grid_point(d, &points, 4, "p4");
    let run_bands = read_text(&d.join("p4/bands.csv"));
    assert_eq!(read_text(&d.join("one/points/000004/bands.csv")), run_bands);
    // The combined file: every point's rows after a `point` column.
    let (header, rows) = read_csv(&d.join("one/bands.csv"));
    assert_eq!(
        header,
        ["point", "day", "metric", "mean", "p5", "p25", "p50", "p75", "p95"]
    );
    let per_point = run_bands.lines().count() - 1;
    assert_eq!(rows.len(), 6 * per_point);
    let mine: Vec<String> = rows
        .iter()
        .filter(|r| r[0] == "4")
        .map(|r| r[1..].join(","))
        .collect();
    assert_eq!(mine, run_bands.lines().skip(1).collect::<Vec<_>>());
    let ps: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert!(ps
        .windows(2)
        .all(|w| w[0].parse::<u32>().unwrap() <= w[1].parse().unwrap()));

    // Two shards in one folder, and two folders merged elsewhere.
    for i in 0..2 {
        let shard = format!("{i}/2");
        ok(
            &[
                "sweep",
                "grid.toml",
                "--out",
                "shared",
                "--shard",
                &shard,
                "-q",
            ],
            d,
        );
        ok(
            &[
                "sweep",
                "grid.toml",
                "--out",
                &format!("part{i}"),
                "--shard",
                &shard,
                "-q",
            ],
            d,
        );
    }
    assert!(
        !d.join("shared/bands.csv").exists(),
        "shards do not assemble"
    );
    ok(&["merge", "shared"], d);
    ok(&["merge", "part0", "part1", "--out", "merged"], d);
    let one = final_files(&d.join("one"));
    assert!(one.contains_key("bands.csv"));
    assert_same_files(&one, &final_files(&d.join("shared")), "shared folder");
    assert_same_files(&one, &final_files(&d.join("merged")), "separate folders");
    let points_of = |dir: &str| -> BTreeMap<String, Vec<u8>> {
        read_results(&d.join(dir))
            .into_iter()
            .filter(|(k, _)| k.starts_with("points/"))
            .collect()
    };
    assert_same_files(&points_of("one"), &points_of("shared"), "point files");

    // A point whose bands were removed is refused by merge, naming it.
    std::fs::remove_file(d.join("part1/points/000003/bands.csv")).unwrap();
    let out = commsim(&["merge", "part0", "part1", "--out", "merged2"], d);
    check(&out, 2, &["000003", "bands"]);
    assert!(!d.join("merged2/bands.csv").exists());
}
