//! The operator's money and time (issue 10, MODEL.md §9.1): budgets that
//! run out, and money that changes behaviour only through what it buys.
//!
//! Statistical tests pair the arms with common random numbers (run r of
//! both arms has the same seed) and pass only when the 95% interval of the
//! paired difference (mean ± t·se) excludes zero in the stated direction.

use std::path::Path;

use commsim::model::{JoinSource, RunOutput};

const RUNS: u32 = 100;
/// Master seeds the statistical tests are checked with.
const SEEDS: [u64; 3] = [1, 2, 3];

fn with_seed(text: &str, seed: u64) -> String {
    assert!(text.contains("\nseed = 1\n"));
    text.replacen("\nseed = 1\n", &format!("\nseed = {seed}\n"), 1)
}

fn runs(text: &str) -> Vec<RunOutput> {
    crate::util::simulate_text(text, Path::new("."), Some(RUNS), 2)
}

fn default_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    std::fs::read_to_string(path).expect("scenarios/default.toml")
}

/// The paired 95% interval of b − a.
fn paired(a: &[RunOutput], b: &[RunOutput], stat: impl Fn(&RunOutput) -> f64) -> (f64, f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| stat(y) - stat(x)).collect();
    let i = commsim::stats::Interval::of(&d);
    eprintln!("  mean {:.4}, 95% CI [{:.4}, {:.4}]", i.mean, i.lo, i.hi);
    (i.mean, i.lo, i.hi)
}

/// A free group (no fee, no sales) that buys in a lesson every 3 days.
fn free_group(funds: &str) -> String {
    assert!(default_text().contains("[conversion]\nenabled = true"));
    format!(
        "{}\n[operator]\nfunds = {funds}\n",
        default_text()
            .replace(
                "[conversion]\nenabled = true",
                "[conversion]\nenabled = false"
            )
            .replace(
                "[content]\nschedule = { start = 1, every = 7 }",
                "[content]\nschedule = { start = 1, every = 3 }\ncost = 100.0"
            )
    )
}

#[test]
fn a_free_group_stops_producing_when_its_money_runs_out_and_dies_sooner() {
    for seed in SEEDS {
        eprintln!("seed {seed}");
        free_group_seed(seed);
    }
}

fn free_group_seed(seed: u64) {
    let short = runs(&with_seed(&free_group("1000"), seed));
    let ample = runs(&with_seed(&free_group("\"unlimited\""), seed));
    for r in &short {
        // The poster's joins (1 each) and ten lessons (100 each) exhaust the
        // 1,000: the money runs out, and no lesson is read after that day.
        let out = r.summary.funds_out_day.expect("the money runs out");
        assert!(out <= 40, "run {}: money out on day {out}", r.run);
        let after: u32 = r
            .days
            .iter()
            .filter(|d| d.day >= out)
            .map(|d| d.lesson_readers)
            .sum();
        assert_eq!(after, 0, "run {}: lessons read after day {out}", r.run);
        let before = r.days[out as usize - 1].funds;
        assert!(
            before < 100.0,
            "run {}: {before} left, a lesson costs 100",
            r.run
        );
        assert!(r.days.iter().all(|d| d.funds > -1e-9 || d.day >= out));
    }
    for r in &ample {
        assert_eq!(r.summary.funds_out_day, None);
    }
    eprintln!("lifetime, short funds − ample funds (S5, L3):");
    let (_, _, hi) = paired(&ample, &short, |r| r.summary.lifetime_days as f64);
    assert!(hi < 0.0, "a group whose lessons stop should die sooner");
    eprintln!("active members on day 60, short − ample:");
    let (_, _, hi) = paired(&ample, &short, |r| r.days[60].active as f64);
    assert!(hi < 0.0);
}

#[test]
fn the_cut_order_follows_operator_priority() {
    // Weekly lessons take 2 hours and the rituals 0.2 hours a day, from 2
    // hours a week: whichever lever comes first in operator.priority takes
    // the time, and the other stops.
    let text = |first: &str, second: &str| {
        format!(
            "{}\n[rituals]\n[operator]\nhours_per_week = 2\npriority = [\"{first}\", \"{second}\"]\n",
            default_text()
        )
    };
    // A lesson day is one that used a lesson's 2 hours (a lesson nobody
    // reads is still given).
    let lessons = |r: &RunOutput| r.days.iter().filter(|d| d.hours_used >= 2.0 - 1e-9).count();
    for r in runs(&text("content", "rituals")) {
        let lessons = lessons(&r);
        assert_eq!(lessons, 13, "run {}: a lesson every week of 90 days", r.run);
        assert!(r.days[1..]
            .chunks(7)
            .all(|w| w.iter().map(|d| d.hours_used).sum::<f64>() <= 2.0 + 1e-9));
    }
    for r in runs(&text("rituals", "content")) {
        let lessons = lessons(&r);
        assert_eq!(
            lessons, 0,
            "run {}: the rituals leave no 2 hours free",
            r.run
        );
        assert!(r.days[1..8]
            .iter()
            .all(|d| (d.hours_used - 0.2).abs() < 1e-9));
    }
}

#[test]
fn hours_limit_what_the_owner_can_do() {
    // Lessons every day take 2 hours each: with 5 hours a week, at most
    // two lessons a week are given.
    let text = default_text().replace(
        "[content]\nschedule = { start = 1, every = 7 }",
        "[content]\nschedule = { start = 1, every = 1 }",
    ) + "\n[operator]\nhours_per_week = 5\n";
    for r in runs(&text) {
        for week in r.days[1..].chunks(7) {
            let given = week.iter().filter(|d| d.lesson_readers > 0).count();
            let hours: f64 = week.iter().map(|d| d.hours_used).sum();
            assert!(
                given <= 2 && hours <= 5.0 + 1e-9,
                "{given} lessons, {hours} hours"
            );
        }
    }
}

/// Of the people who joined by invitation in days 1–30, the share still in
/// on day 60.
fn invitees_kept(r: &RunOutput) -> f64 {
    let joined: Vec<_> = r
        .members
        .iter()
        .filter(|m| m.source == JoinSource::Invited && (1..=30).contains(&m.join_day))
        .collect();
    if joined.is_empty() {
        return f64::NAN;
    }
    let kept = joined
        .iter()
        .filter(|m| m.leave_day.is_none_or(|d| d > 60))
        .count();
    kept as f64 / joined.len() as f64
}

fn mean_invitee_need(r: &RunOutput) -> f64 {
    let needs: Vec<f64> = r
        .members
        .iter()
        .filter(|m| m.source == JoinSource::Invited)
        .map(|m| m.need as f64)
        .collect();
    needs.iter().sum::<f64>() / needs.len().max(1) as f64
}

#[test]
fn a_bigger_referral_reward_brings_more_joiners_who_stay_less() {
    // S3: "benefit lures" are fast and lower quality. The reward's size
    // works only through how many invite and how much invitees weigh their
    // need; that lured invitees leave sooner follows from their lower need
    // (less value from the lessons), not from a rule about them.
    for seed in SEEDS {
        eprintln!("seed {seed}");
        referral_seed(seed);
    }
}

fn referral_seed(seed: u64) {
    let reward = |amount: f64| {
        with_seed(
            &format!("{}\n[referral_reward]\namount = {amount}\n", default_text()),
            seed,
        )
    };
    let small = runs(&reward(5.0));
    let big = runs(&reward(50.0));
    eprintln!("joiners, 50 − 5 per join:");
    let (_, lo, _) = paired(&small, &big, |r| r.summary.total_joined as f64);
    assert!(lo > 0.0, "a bigger reward should bring more joiners");
    eprintln!("mean need of invitees, 50 − 5:");
    let (_, _, hi) = paired(&small, &big, mean_invitee_need);
    assert!(hi < 0.0, "lured invitees should need the group less");
    eprintln!("share of day 1–30 invitees still in on day 60, 50 − 5:");
    let both: Vec<(f64, f64)> = small
        .iter()
        .zip(&big)
        .map(|(a, b)| (invitees_kept(a), invitees_kept(b)))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    assert!(
        both.len() >= 80,
        "only {} runs have invitees in both arms",
        both.len()
    );
    let d: Vec<f64> = both.iter().map(|(a, b)| b - a).collect();
    let i = commsim::stats::Interval::of(&d);
    eprintln!("  mean {:.4}, 95% CI [{:.4}, {:.4}]", i.mean, i.lo, i.hi);
    assert!(i.hi < 0.0, "a lower share of lured invitees should stay");
    // The cost grows with the reward: money buys the joiners.
    let (_, lo, _) = paired(&small, &big, |r| r.summary.cost);
    assert!(lo > 0.0);
    if seed == 1 {
        // Neutral run: with `lure = 0` the reward only makes more members
        // invite; invitees vouched for as usual bring friends along and
        // stay at least as well. So lower quality comes from the lure (who
        // accepts, and how much a lured invitation vouches), and from
        // nothing else. docs/claims.md (S3) records this.
        let neutral = |amount: f64| format!("{}\nlure = 0.0\n", reward(amount));
        let (a, b) = (runs(&neutral(5.0)), runs(&neutral(50.0)));
        eprintln!("lure = 0: share of invitees still in on day 60, 50 − 5:");
        let (_, _, hi) = paired(&a, &b, invitees_kept);
        assert!(
            hi > 0.0,
            "without the lure, lured invitees should not stay less"
        );
    }
}

#[test]
fn revenue_pays_for_output_at_the_reinvested_share() {
    // A paid group whose fees go back into the funds buys more lessons
    // from the same savings than one that keeps none of its revenue.
    let paid = |reinvest: f64| {
        format!(
            "{}\n[fee]\namount = 50.0\n[operator]\nfunds = 300\nreinvest = {reinvest}\n",
            default_text().replace(
                "[content]\nschedule = { start = 1, every = 7 }",
                "[content]\nschedule = { start = 1, every = 3 }\ncost = 100.0"
            )
        )
    };
    let kept = runs(&paid(0.0));
    let reinvested = runs(&paid(1.0));
    eprintln!("lessons given, reinvest 1 − reinvest 0:");
    let given = |r: &RunOutput| r.days.iter().filter(|d| d.lesson_readers > 0).count() as f64;
    let (_, lo, _) = paired(&kept, &reinvested, given);
    assert!(lo > 0.0);
    for r in &reinvested {
        let last = r.days.last().unwrap();
        let flows: f64 = r.days.iter().map(|d| d.reinvested - d.cost).sum();
        assert!(
            (300.0 + flows - last.funds).abs() < 1e-6,
            "the books balance"
        );
    }
}
