//! Claims from DOMAIN.md that must emerge from individual behaviour.
//!
//! Each test runs two arms with common random numbers (run r of both arms has
//! the same seed, so the same people get the same draws) and passes only when
//! the 95% confidence interval of the paired difference excludes zero in the
//! direction the claim states. The arms are the shipped scenarios in
//! `scenarios/`, edited in one place, so the claims hold for what users run.

use std::path::Path;

use commsim::model::{DayRow, RunOutput};
use commsim::scenario::Scenario;

fn scenario_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs scenario text with its own seed and the given number of runs.
fn run(text: &str, runs: u32) -> Vec<RunOutput> {
    crate::util::simulate_text(text, Path::new("."), Some(runs), 2)
}

/// Replaces `from` (which must occur) in a scenario's text.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "the scenario no longer contains {from:?}"
    );
    text.replacen(from, to, 1)
}

/// Two-sided 95% t interval of the mean of `d` (the library's own).
fn interval(d: &[f64]) -> (f64, f64, f64) {
    let i = commsim::stats::Interval::of(d);
    (i.mean, i.lo, i.hi)
}

/// Paired differences b − a of a per-run statistic.
fn paired(a: &[RunOutput], b: &[RunOutput], stat: impl Fn(&RunOutput) -> f64) -> Vec<f64> {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| stat(y) - stat(x)).collect()
}

fn assert_positive(what: &str, d: &[f64]) {
    let (m, lo, hi) = interval(d);
    assert!(
        lo > 0.0,
        "{what}: mean {m:.4}, 95% CI [{lo:.4}, {hi:.4}] does not exclude 0 above"
    );
}

fn assert_negative(what: &str, d: &[f64]) {
    let (m, lo, hi) = interval(d);
    assert!(
        hi < 0.0,
        "{what}: mean {m:.4}, 95% CI [{lo:.4}, {hi:.4}] does not exclude 0 below"
    );
}

fn day(r: &RunOutput, d: usize) -> &DayRow {
    &r.days[d]
}

/// First day after the peak of active members on which they are below 10%
/// of that peak (the run's length if never).
fn quiet_day(r: &RunOutput) -> f64 {
    let peak = r.days.iter().map(|d| d.active).max().unwrap_or(0);
    let at = r.days.iter().position(|d| d.active == peak).unwrap_or(0);
    r.days[at..]
        .iter()
        .find(|d| (d.active as f64) < 0.1 * peak as f64)
        .map_or(r.days.len() as f64, |d| d.day as f64)
}

/// L1: an unoperated group's active members fall below 10% of their peak
/// within 10 days; operating it (weekly lessons) delays that.
#[test]
fn l1_unoperated_group_goes_quiet_within_ten_days() {
    let text = scenario_text("no-operation.toml");
    let alone = run(&text, 100);
    let within: Vec<f64> = alone.iter().map(|r| quiet_day(r) - 10.0).collect();
    assert_negative("day of falling below 10% of peak, minus 10", &within);
    let operated = run(
        &edit(
            &text,
            "[content]\nenabled = false",
            "[content]\nschedule = { start = 1, every = 7 }",
        ),
        100,
    );
    assert_positive(
        "days gained before going quiet by weekly lessons",
        &paired(&alone, &operated, quiet_day),
    );
}

/// M6: a paid group keeps a larger share of its joiners at day 60 than the
/// same group run for free.
#[test]
fn m6_paid_group_keeps_a_larger_share_of_joiners() {
    let free = scenario_text("free-interest-group.toml");
    let paid = format!("{free}\n[fee]\namount = 49.0\nrenewal = 0.0\n");
    let share = |r: &RunOutput| {
        let joined: u64 = r.days[..=60].iter().map(|d| d.joined as u64).sum();
        day(r, 60).members as f64 / joined.max(1) as f64
    };
    let (a, b) = (run(&free, 100), run(&paid, 100));
    assert_positive(
        "share of joiners kept at day 60, paid − free",
        &paired(&a, &b, share),
    );
}

/// S1: weekly micro-lessons keep more active members at day 30 than no lessons.
#[test]
fn s1_weekly_lessons_keep_more_active_members() {
    let lessons = scenario_text("free-interest-group.toml");
    let none = edit(
        &lessons,
        "[content]\nschedule = { start = 1, every = 7 }",
        "[content]\nenabled = false",
    );
    let (a, b) = (run(&none, 100), run(&lessons, 100));
    assert_positive(
        "active members at day 30, lessons − none",
        &paired(&a, &b, |r| day(r, 30).active as f64),
    );
}

/// S10: aggressive selling earns more in the first two weeks but ends with
/// fewer active members and lower mean trust at day 90.
#[test]
fn s10_selling_earns_early_then_kills_the_group() {
    let sales = scenario_text("sales-push-group.toml");
    let calm = edit(&sales, "pushes = 3", "pushes = 0");
    let (a, b) = (run(&calm, 100), run(&sales, 100));
    let early = |r: &RunOutput| r.days[..=14].iter().map(|d| d.revenue).sum::<f64>();
    assert_positive(
        "revenue in days 0-14, selling − none",
        &paired(&a, &b, early),
    );
    assert_negative(
        "active members at day 90, selling − none",
        &paired(&a, &b, |r| day(r, 90).active as f64),
    );
    assert_negative(
        "mean trust at day 90, selling − none",
        &paired(&a, &b, |r| day(r, 90).mean_trust),
    );
}

/// S6: an offline event raises attendees' trust more than a micro-lesson on
/// the same day raises its readers' trust.
#[test]
fn s6_offline_event_builds_more_trust_than_a_lesson() {
    let base = scenario_text("offline-community.toml");
    let event = edit(
        &base,
        "schedule = { days = [15, 45, 75] }",
        "schedule = { days = [30] }",
    );
    let lesson = edit(
        &edit(
            &base,
            "[content]\nschedule = { start = 1, every = 7 }",
            "[content]\nschedule = { days = [30] }",
        ),
        "schedule = { days = [15, 45, 75] }",
        "schedule = { days = [200] }",
    );
    let (a, b) = (run(&lesson, 100), run(&event, 100));
    // Mean trust gain per participant, over the runs where both the event
    // and the lesson had someone taking part.
    let diffs: Vec<f64> = a
        .iter()
        .zip(&b)
        .filter_map(|(l, e)| {
            let (l, e) = (day(l, 30), day(e, 30));
            (l.lesson_readers > 0 && e.event_attendees > 0).then(|| {
                e.event_trust_gain / e.event_attendees as f64
                    - l.lesson_trust_gain / l.lesson_readers as f64
            })
        })
        .collect();
    assert!(
        diffs.len() >= 80,
        "only {} runs had both participants",
        diffs.len()
    );
    assert_positive(
        "trust gain per participant on day 30, event − lesson",
        &diffs,
    );
}

/// R5: a giveaway brings a spike of joiners, most of whom leave within two
/// weeks.
#[test]
fn r5_giveaway_spike_leaves_within_two_weeks() {
    let blitz = scenario_text("giveaway-blitz.toml");
    let none = edit(&blitz, "reach = 300", "reach = 0");
    let (a, b) = (run(&none, 100), run(&blitz, 100));
    let spike = |r: &RunOutput| r.days[1..=3].iter().map(|d| d.joined as f64).sum::<f64>();
    assert_positive(
        "joiners on days 1-3, giveaway − none",
        &paired(&a, &b, spike),
    );
    // Giveaway joiners join on days 1-3; by day 17 each has had two weeks.
    let gone_share: Vec<f64> = b
        .iter()
        .map(|r| {
            let joined: u32 = r.days.iter().map(|d| d.gift_joins).sum();
            let left: u32 = r.days[..=17].iter().map(|d| d.gift_left).sum();
            left as f64 / joined.max(1) as f64 - 0.5
        })
        .collect();
    assert_positive(
        "share of giveaway joiners gone by day 17, minus one half",
        &gone_share,
    );
}

/// Every scenario in the library parses and runs.
#[test]
fn every_shipped_scenario_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with('#'),
            "{} must open with a comment",
            path.display()
        );
        let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        // A short check run: the full batches are run by the claims above.
        let days = s.spec().days.min(20);
        let text = format!("{}\n", s.to_toml()).replacen(
            &format!("days = {}", s.spec().days),
            &format!("days = {days}"),
            1,
        );
        let out = run(&text, 2);
        assert_eq!(out[0].days.len(), days as usize + 1, "{}", path.display());
    }
}
