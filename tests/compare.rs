//! `commsim compare`'s verdicts, spend lines, interval note and `--budget`
//! (issue 10, "compare for the same budget").

use commsim::compare::{
    interval_note, relative_change, spend_warning, verdict, GraphKind, Metric, Row,
};
use commsim::stats::Interval;

use crate::util::{check, commsim, small_with, stdout, write, SMALL};

/// Text with every run of whitespace made one space (the note is wrapped).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A row of scenario "b" against reference "a": the reference's mean
/// `base` and the paired difference `mean` [`lo`, `hi`].
fn row(metric: Metric, base: f64, mean: f64, lo: f64, hi: f64) -> Row {
    Row {
        scenario: "b".into(),
        metric,
        mean: base + mean,
        diff: Some(Interval { mean, lo, hi }),
        base,
        identical: false,
    }
}

fn say(r: &Row) -> String {
    verdict(r, "a").expect("a verdict")
}

#[test]
fn an_interval_covering_zero_is_no_detectable_difference_in_units() {
    let v = say(&row(Metric::Cost, 50.0, -0.095, -0.336, 0.146));
    assert_eq!(
        v,
        "no detectable difference in cost between a and b (95% interval -0.34 to +0.15 yuan)"
    );
    let v = say(&row(Metric::ActiveAt(90), 0.008, 0.007, -0.004, 0.018));
    assert!(
        v.starts_with("no detectable difference in active members at day 90"),
        "{v}"
    );
    assert!(v.ends_with("members)"), "{v}");
    assert_eq!(v.matches('%').count(), 1, "only the 95%: {v}");
}

#[test]
fn a_small_base_gives_the_absolute_difference_only() {
    // 0.001 → 0.008 active members: the old "88% (±65%) fewer".
    let v = say(&row(Metric::ActiveAt(90), 0.008, -0.007, -0.012, -0.002));
    assert_eq!(
        v,
        "b keeps 0.0070 (±0.0050) fewer active members at day 90 than a"
    );
    // A base of a few members but a wide interval: no relative change either.
    let v = say(&row(Metric::ActiveAt(7), 1.1, 5.45, 5.13, 5.77));
    assert_eq!(
        v,
        "b keeps 5.45 (±0.32) more active members at day 7 than a"
    );
    // A base of zero never gives one.
    let v = say(&row(Metric::Revenue, 0.0, 12.0, 10.0, 14.0));
    assert_eq!(v, "b has 12.0 (±2.0) yuan more revenue than a");
    // Shares are in percentage points, without a relative change.
    let v = say(&row(Metric::ReferralShare, 0.26, 0.366, 0.347, 0.385));
    assert_eq!(
        v,
        "b's share of joins by invitation is 36.6 (±1.9) percentage points higher than a's"
    );
    assert_eq!(relative_change(true, 0.9, 0.5, 0.01), None);
    assert_eq!(relative_change(true, 10.0, 5.0, 2.6), None);
    assert_eq!(relative_change(false, 100.0, 5.0, 1.0), None);
}

#[test]
fn a_large_base_adds_the_relative_change() {
    let v = say(&row(Metric::ActiveAt(30), 35.0, 12.3, 10.2, 14.4));
    assert_eq!(
        v,
        "b keeps 12.3 (±2.1) more active members at day 30 than a (+35%)"
    );
    let v = say(&row(Metric::LifetimeDays, 42.3, -10.0, -13.0, -7.0));
    assert_eq!(v, "b has 10.0 (±3.0) fewer days of lifetime than a (-24%)");
    // Ten times as much or more reads as a multiple, not "11202%".
    let v = say(&row(Metric::Cost, 51.8, 5800.03, 5799.76, 5800.30));
    assert_eq!(
        v,
        "b costs 5,800.03 (±0.27) yuan more than a (113 times as much)"
    );
    // A difference that is the same in every run has no ±.
    let v = say(&row(Metric::Cost, 100.0, 50.0, 50.0, 50.0));
    assert_eq!(v, "b costs 50 yuan more than a in every run (+50%)");
}

#[test]
fn identical_arms_say_so_and_never_zero_percent() {
    let mut r = row(Metric::PeakMembers, 120.0, 0.0, 0.0, 0.0);
    r.identical = true;
    assert_eq!(
        say(&r),
        "no difference in members at the peak between a and b (identical in every run)"
    );
    // Even if not flagged, a zero interval is not "0% (±0%)".
    r.identical = false;
    let v = say(&r);
    assert!(!v.contains("0%"), "{v}");
    assert!(v.starts_with("no detectable difference"), "{v}");
}

#[test]
fn spend_warnings_flag_more_than_five_percent() {
    assert_eq!(spend_warning("b", "a", "money", "yuan", 104.0, 100.0), None);
    assert_eq!(spend_warning("b", "a", "money", "yuan", 0.0, 0.0), None);
    assert_eq!(
        spend_warning("b", "a", "money", "yuan", 1234.0, 882.0).unwrap(),
        "b spent 40% more money than a (1,234 vs 882 yuan): differences may be bought, not earned"
    );
    let less = spend_warning("b", "a", "hours", "hours", 50.0, 100.0).unwrap();
    assert!(
        less.starts_with("b spent 50% less hours than a (50.0 vs 100 hours)"),
        "{less}"
    );
    let from_zero = spend_warning("b", "a", "money", "yuan", 30.0, 0.0).unwrap();
    assert!(from_zero.contains("where a spent none"), "{from_zero}");
}

#[test]
fn the_interval_note_says_whether_the_graph_is_covered() {
    let names = vec!["a".to_string(), "b".to_string()];
    let fixed = interval_note(&names, &[GraphKind::Fixed, GraphKind::Fixed], false);
    assert!(
        fixed.contains("do not cover the choice of graph"),
        "{fixed}"
    );
    assert!(fixed.contains("population.resample = true"), "{fixed}");
    assert!(fixed.contains("common random numbers"), "{fixed}");
    let both = interval_note(&names, &[GraphKind::Resampled, GraphKind::Resampled], false);
    assert!(both.contains("including the choice of graph"), "{both}");
    let mixed = interval_note(&names, &[GraphKind::Resampled, GraphKind::Fixed], false);
    assert!(mixed.contains("only for a"), "{mixed}");
}

/// SMALL with a second, costly channel, renamed "ads".
fn with_ads() -> String {
    small_with("name = \"small\"", "name = \"ads\"")
        + "\n[[channel]]\nname = \"ads\"\ndaily = 5\nschedule = { start = 1, end = 10 }\ncost_per_join = 30.0\n"
}

#[test]
fn compare_prints_the_spend_and_flags_unequal_spending() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", SMALL);
    write(dir.path(), "ads.toml", &with_ads());
    let out = commsim(
        &["compare", "a.toml", "ads.toml", "--out", "cmp"],
        dir.path(),
    );
    check(&out, 0, &[]);
    let text = flat(&stdout(&out));
    assert!(text.contains("spent per run (mean): small "), "{text}");
    assert!(text.contains(" hours; ads "), "{text}");
    assert!(
        text.contains("- ads spent ") && text.contains("differences may be bought, not earned"),
        "{text}"
    );
    assert!(text.contains("do not cover the choice of graph"), "{text}");
    assert!(!text.contains("(±0%)"), "{text}");
    let html = flat(&std::fs::read_to_string(dir.path().join("cmp/report.html")).unwrap());
    assert!(html.contains("spent per run (mean)"), "report.html");
    assert!(html.contains("differences may be bought, not earned"));
    assert!(html.contains("do not cover the choice of graph"));
    let csv = std::fs::read_to_string(dir.path().join("cmp/compare.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("ads,cost,")), "{csv}");

    // The same scenario twice spends alike: no warning, identical verdicts.
    let out = commsim(
        &[
            "compare", "a.toml", "a.toml", "--out", "same", "--days", "5,10",
        ],
        dir.path(),
    );
    check(&out, 0, &[]);
    let text = stdout(&out);
    assert!(!text.contains("may be bought"), "{text}");
    assert!(text.contains("(identical in every run)"), "{text}");
}

#[test]
fn compare_with_resampled_graphs_says_the_graph_is_included() {
    let dir = tempfile::tempdir().unwrap();
    let resampled = small_with("[population]\n", "[population]\nresample = true\n");
    write(dir.path(), "a.toml", &resampled);
    write(
        dir.path(),
        "b.toml",
        &resampled
            .replace("name = \"small\"", "name = \"b\"")
            .replace("daily = 5", "daily = 9"),
    );
    let out = commsim(
        &[
            "compare", "a.toml", "b.toml", "--out", "cmp", "--days", "5,10",
        ],
        dir.path(),
    );
    check(&out, 0, &[]);
    let text = flat(&stdout(&out));
    assert!(text.contains("including the choice of graph"), "{text}");
    assert!(!text.contains("do not cover"), "{text}");
}

#[test]
fn budget_must_be_a_number_of_zero_or_more() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", SMALL);
    for bad in ["-1", "NaN", "lots"] {
        let out = commsim(
            &[
                "compare", "a.toml", "a.toml", "--budget", bad, "--out", "cmp",
            ],
            dir.path(),
        );
        check(&out, 2, &["--budget", "0 or more", "inf"]);
        assert!(
            !dir.path().join("cmp").exists(),
            "--budget {bad} wrote results"
        );
    }
}

#[test]
fn budget_runs_every_arm_with_those_funds() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", SMALL);
    write(dir.path(), "ads.toml", &with_ads());
    let money = |args: &[&str]| -> (String, f64) {
        let mut all = vec!["compare", "a.toml", "ads.toml", "--force"];
        all.extend(args);
        let out = commsim(&all, dir.path());
        check(&out, 0, &[]);
        let csv = std::fs::read_to_string(dir.path().join(args[1]).join("compare.csv")).unwrap();
        let cost = csv
            .lines()
            .find(|l| l.starts_with("ads,cost,"))
            .and_then(|l| l.split(',').nth(2))
            .unwrap()
            .parse()
            .unwrap();
        (flat(&stdout(&out)), cost)
    };
    let (free, unlimited) = money(&["--out", "free"]);
    let (text, tight) = money(&["--out", "tight", "--budget", "20"]);
    assert!(
        text.contains("funds of 20.0 yuan for every scenario (--budget)"),
        "{text}"
    );
    assert!(
        tight < unlimited,
        "--budget 20 should cut the ads' spending: {tight} vs {unlimited}\n{free}\n{text}"
    );
    let (text, same) = money(&["--out", "inf", "--budget", "inf"]);
    assert!(
        text.contains("unlimited funds for every scenario"),
        "{text}"
    );
    assert_eq!(same, unlimited, "--budget inf is the default funds");
    assert!(text.contains("hours"), "{text}");
}
