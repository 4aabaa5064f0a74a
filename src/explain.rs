//! `commsim explain`: why a community died, and what would have saved it.
//!
//! Four parts, all built from simulated numbers: the phases of the typical
//! run (DOMAIN.md L2), who left and why in each phase, what would have saved
//! it — each operator lever added or strengthened (src/levers.rs) within
//! the original's money and hours, ranked by lifetime and by the share of
//! self-sustaining runs — and why it died: the same runs (common random
//! numbers) with each strategy removed and with each decay mechanism
//! neutralised, which an operator cannot choose. A short narrative is
//! assembled from those numbers only.
//!
//! Phase rules (docs/outputs.md, "Phases"; each searches from the start of
//! the previous phase, so phases are in order by construction):
//! - **honeymoon** starts on day 0;
//! - **doubt** starts on the first day after the peak of activity per member
//!   (active / members, 3-day centred mean) on which it has fallen below half
//!   of that peak: the mood cools while people may still be joining;
//! - **breakup** starts on the first day from the start of doubt on which
//!   membership is below 90% of its peak so far: members mute and leave;
//! - **dead** starts on the first day from the start of breakup after which
//!   active members stay below `lifetime.fraction` of their peak until the
//!   end (the lifetime definition); runs still alive at the end have none.

use std::io::Write;
use std::path::PathBuf;

use crate::compare::run_scenario;
use crate::error::{Error, Result};
use crate::levers::{self, Allowance, Change};
use crate::model::{DayRow, RunOutput, CAUSES};
use crate::output;
use crate::scenario::{FriendsMode, Scenario, ScenarioFile};
use crate::stats::{quantile_sorted, Interval};

/// Options of `commsim explain`.
#[derive(Debug, Clone, Default)]
pub struct ExplainOptions {
    pub scenario: Option<PathBuf>,
    pub runs: Option<u32>,
    pub seed: Option<u64>,
    pub threads: usize,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub quiet: bool,
}

/// The phases of L2, in order.
pub const PHASES: [&str; 4] = ["honeymoon", "doubt", "breakup", "dead"];

/// The day each phase starts in one run (None if it never starts).
pub fn phases(days: &[DayRow], fraction: f64) -> [Option<u32>; 4] {
    let n = days.len();
    let per_member: Vec<f64> = days
        .iter()
        .map(|d| d.active as f64 / d.members.max(1) as f64)
        .collect();
    let smooth: Vec<f64> = (0..n)
        .map(|t| {
            let lo = t.saturating_sub(1);
            let hi = (t + 1).min(n - 1);
            per_member[lo..=hi].iter().sum::<f64>() / (hi - lo + 1) as f64
        })
        .collect();
    let (peak_at, peak) =
        smooth.iter().enumerate().fold(
            (0, 0.0),
            |best, (t, &v)| if v > best.1 { (t, v) } else { best },
        );
    let doubt = (peak > 0.0)
        .then(|| (peak_at..n).find(|&t| smooth[t] < 0.5 * peak))
        .flatten();
    let breakup = doubt.and_then(|start| {
        let mut best = days[..start].iter().map(|d| d.members).max().unwrap_or(0);
        (start..n).find(|&t| {
            best = best.max(days[t].members);
            (days[t].members as f64) < 0.9 * best as f64
        })
    });
    let peak_active = days.iter().map(|d| d.active).max().unwrap_or(0);
    let dead = breakup.and_then(|start| {
        if peak_active == 0 {
            return Some(start);
        }
        let threshold = fraction * peak_active as f64;
        // The day after the last day at or above the threshold.
        let last_alive = (0..n).rev().find(|&t| days[t].active as f64 >= threshold)?;
        (last_alive + 1 < n).then_some((last_alive + 1).max(start))
    });
    [
        Some(0),
        doubt.map(|t| t as u32),
        breakup.map(|t| t as u32),
        dead.map(|t| t as u32),
    ]
}

/// A change to a scenario for a counterfactual.
pub struct Counterfactual {
    pub label: String,
    /// "strategy removed" or "mechanism neutralised".
    pub kind: &'static str,
    pub edit: Box<dyn Fn(&mut ScenarioFile)>,
}

fn cf(
    label: &str,
    kind: &'static str,
    edit: impl Fn(&mut ScenarioFile) + 'static,
) -> Counterfactual {
    Counterfactual {
        label: label.to_string(),
        kind,
        edit: Box::new(edit),
    }
}

/// The counterfactuals that apply to a scenario: each strategy it uses,
/// removed, and each decay mechanism that is on, neutralised.
pub fn counterfactuals(s: &ScenarioFile) -> Vec<Counterfactual> {
    const S: &str = "strategy removed";
    const M: &str = "mechanism neutralised";
    let mut v = Vec::new();
    if s.content.enabled {
        v.push(cf("without lessons (S1)", S, |f| f.content.enabled = false));
    }
    for (i, c) in s.channels.iter().enumerate() {
        v.push(cf(
            &format!("without channel {} (S12)", c.name),
            S,
            move |f| {
                f.channels.remove(i);
            },
        ));
    }
    if !s.rewards.is_empty() {
        v.push(cf("without rewards (S2)", S, |f| f.rewards.clear()));
    }
    if !s.giveaways.is_empty() {
        v.push(cf("without the giveaway (S2)", S, |f| f.giveaways.clear()));
    }
    if s.referral_reward.is_some() {
        v.push(cf("without referral rewards (S3)", S, |f| {
            f.referral_reward = None
        }));
    }
    if s.kol.is_some() {
        v.push(cf("without KOLs (S4)", S, |f| f.kol = None));
    }
    if s.fee.is_some() {
        v.push(cf("without the fee (S5)", S, |f| f.fee = None));
    }
    if s.cycle.is_some() {
        v.push(cf("without cycles (S11)", S, |f| {
            f.cycle = None;
            if let Some(m) = &mut f.moderation {
                m.inactive_days = 0;
            }
        }));
    }
    if !s.events.is_empty() {
        v.push(cf("without offline events (S6)", S, |f| f.events.clear()));
    }
    if s.service.is_some() {
        v.push(cf("without the answering service (S7)", S, |f| {
            f.service = None
        }));
    }
    if s.rituals.is_some() {
        v.push(cf("without rituals (S8)", S, |f| f.rituals = None));
    }
    if s.moderation.is_some() {
        v.push(cf("without moderation (S9)", S, |f| f.moderation = None));
    }
    if s.selling.is_some() {
        v.push(cf("without selling (S10)", S, |f| f.selling = None));
    }
    if s.interest.enabled && s.interest.half_life.is_finite() {
        v.push(cf("without interest decay (M4)", M, |f| {
            f.interest.half_life = f64::INFINITY
        }));
    }
    if s.activity.spontaneous < 1.0 && s.activity.conversation > 0.0 {
        v.push(cf(
            "without silence spreading (quiet groups get quieter)",
            M,
            |f| f.activity.spontaneous = 1.0,
        ));
    }
    if s.leave.enabled && s.needs.satisfaction_half_life.is_finite() {
        v.push(cf("without value being forgotten", M, |f| {
            f.needs.satisfaction_half_life = f64::INFINITY
        }));
    }
    if s.trust.enabled && s.trust.expectation_weight > 0.0 {
        v.push(cf(
            "without unmet expectations eroding trust (M3)",
            M,
            |f| f.trust.expectation_weight = 0.0,
        ));
    }
    if s.leave.enabled && s.value.disappointment > 0.0 && s.needs.enabled {
        v.push(cf(
            "without disappointment over unmet needs (M1, M3)",
            M,
            |f| f.value.disappointment = 0.0,
        ));
    }
    if s.leave.enabled && s.ties.enabled && s.ties.half_life.is_finite() {
        v.push(cf("without ties fading between contacts", M, |f| {
            f.ties.half_life = f64::INFINITY
        }));
    }
    if s.activity.overload > 0.0 {
        v.push(cf("without information overload", M, |f| {
            f.activity.overload = 0.0
        }));
    }
    if s.activity.ad_annoyance > 0.0 && s.roles.advertiser > 0.0 {
        v.push(cf("without annoyance from ads (R4)", M, |f| {
            f.activity.ad_annoyance = 0.0
        }));
    }
    if s.leave.enabled && s.leave.friends.mode != FriendsMode::Off {
        v.push(cf("without friends' leaving spreading", M, |f| {
            f.leave.friends.mode = FriendsMode::Off
        }));
    }
    if let Some(x) = &s.selling {
        if x.trust_cost > 0.0 || x.annoyance > 0.0 {
            v.push(cf(
                "without selling spending trust and patience (S10)",
                M,
                |f| {
                    if let Some(x) = &mut f.selling {
                        x.trust_cost = 0.0;
                        x.annoyance = 0.0;
                    }
                },
            ));
        }
    }
    v
}

/// Effect of one counterfactual, paired with the baseline.
#[derive(Debug, Clone)]
pub struct Effect {
    pub label: String,
    pub kind: &'static str,
    /// Days of lifetime gained (negative: lost).
    pub lifetime: Interval,
    /// Mean active members per day gained.
    pub active: Interval,
}

fn mean_active(r: &RunOutput) -> f64 {
    r.days.iter().map(|d| d.active as f64).sum::<f64>() / r.days.len() as f64
}

/// What a batch spent, as means over its runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spend {
    /// Money spent per run (runs.csv `cost`).
    pub money: f64,
    /// Money spent less revenue reinvested, per run: what came out of the
    /// funds at launch.
    pub net: f64,
    /// Hours used per week: a run's hours ÷ [`levers::weeks`].
    pub hours_per_week: f64,
}

impl Spend {
    pub fn of(runs: &[RunOutput], days: u32) -> Spend {
        let n = runs.len().max(1) as f64;
        let money = runs.iter().map(|r| r.summary.cost).sum::<f64>() / n;
        let reinvested = runs
            .iter()
            .map(|r| r.days.iter().map(|d| d.reinvested).sum::<f64>())
            .sum::<f64>()
            / n;
        let hours = runs.iter().map(|r| r.summary.hours_used).sum::<f64>() / n;
        Spend {
            money,
            net: money - reinvested,
            hours_per_week: hours / levers::weeks(days),
        }
    }
}

/// One operator lever at the original's spend, paired with the original.
#[derive(Debug, Clone)]
pub struct Saving {
    /// The lever's name (`levers::Variant::name`).
    pub lever: &'static str,
    pub change: Change,
    pub label: String,
    /// Days of lifetime gained (negative: lost).
    pub lifetime: Interval,
    /// Mean active members per day gained.
    pub active: Interval,
    /// Share of runs self-sustaining with the lever, 0 to 1.
    pub sustaining: f64,
    /// Paired difference of the self-sustaining indicator (share points / 100).
    pub sustaining_gain: Interval,
    /// Rank by `sustaining` (1: highest).
    pub rank_sustaining: usize,
    pub spend: Spend,
    /// Runs whose lifetime, activity, money or hours differ from the
    /// original's (0: the lever never acted, e.g. too dear for the purse).
    pub runs_changed: usize,
}

/// The original's purse and spend that the levers were held to.
#[derive(Debug, Clone, Copy)]
pub struct Baseline {
    pub purse: Allowance,
    pub spend: Spend,
    /// Share of the original's runs self-sustaining.
    pub sustaining: f64,
}

/// Summary of the phases across runs.
#[derive(Debug, Clone)]
pub struct PhaseSummary {
    pub name: &'static str,
    /// Runs in which the phase started.
    pub runs: usize,
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
}

/// Everything `explain` found.
pub struct Explanation {
    pub name: String,
    pub runs: usize,
    pub days: u32,
    pub phases: Vec<PhaseSummary>,
    /// Leavers by phase (rows) and cause (columns), summed over runs.
    pub causes: Vec<[u64; CAUSES.len()]>,
    pub effects: Vec<Effect>,
    /// The operator levers, ranked by lifetime gained (largest first).
    pub saves: Vec<Saving>,
    pub baseline: Baseline,
    /// Phase start days of each run.
    pub per_run: Vec<[Option<u32>; 4]>,
}

/// Runs the baseline and counterfactuals and assembles the explanation.
pub fn analyse(scenario: &Scenario, threads: usize) -> Result<Explanation> {
    let spec = scenario.spec();
    let base = run_scenario(scenario.clone(), threads)?;
    let fraction = spec.lifetime.fraction;
    let per_run: Vec<[Option<u32>; 4]> = base.iter().map(|r| phases(&r.days, fraction)).collect();
    let phases_summary = PHASES
        .iter()
        .enumerate()
        .map(|(k, &name)| {
            let mut v: Vec<f64> = per_run
                .iter()
                .filter_map(|p| p[k])
                .map(|d| d as f64)
                .collect();
            v.sort_by(|a, b| a.total_cmp(b));
            PhaseSummary {
                name,
                runs: v.len(),
                median: quantile_sorted(&v, 0.5),
                p5: quantile_sorted(&v, 0.05),
                p95: quantile_sorted(&v, 0.95),
            }
        })
        .collect();
    let mut causes = vec![[0u64; CAUSES.len()]; PHASES.len()];
    for (r, p) in base.iter().zip(&per_run) {
        for d in &r.days {
            let phase = (0..PHASES.len())
                .rev()
                .find(|&k| p[k].is_some_and(|s| d.day >= s))
                .unwrap_or(0);
            for (c, n) in d.left_by_cause.iter().enumerate() {
                causes[phase][c] += *n as u64;
            }
        }
    }
    let life = |rs: &[RunOutput]| -> Vec<f64> {
        rs.iter().map(|r| r.summary.lifetime_days as f64).collect()
    };
    let act = |rs: &[RunOutput]| -> Vec<f64> { rs.iter().map(mean_active).collect() };
    let sus = |rs: &[RunOutput]| -> Vec<f64> {
        rs.iter()
            .map(|r| f64::from(u8::from(r.summary.self_sustaining)))
            .collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let base_spend = Spend::of(&base, spec.days);
    let purse = Allowance::equal_to(spec, base_spend.money, base_spend.hours_per_week);
    let mut saves = Vec::new();
    for v in levers::variants(spec) {
        let alt = scenario.modified(|f| v.apply(f, &purse))?;
        let runs = run_scenario(alt, threads)?;
        saves.push(Saving {
            lever: v.name,
            change: v.change,
            label: v.label,
            lifetime: Interval::paired(&life(&base), &life(&runs)),
            active: Interval::paired(&act(&base), &act(&runs)),
            sustaining: mean(&sus(&runs)),
            sustaining_gain: Interval::paired(&sus(&base), &sus(&runs)),
            rank_sustaining: 0,
            spend: Spend::of(&runs, spec.days),
            runs_changed: base
                .iter()
                .zip(&runs)
                .filter(|(a, b)| {
                    let (x, y) = (&a.summary, &b.summary);
                    x.lifetime_days != y.lifetime_days
                        || mean_active(a) != mean_active(b)
                        || x.cost != y.cost
                        || x.hours_used != y.hours_used
                })
                .count(),
        });
    }
    rank_saves(&mut saves);
    let mut effects = Vec::new();
    for c in counterfactuals(spec) {
        let alt = scenario.modified(|f| (c.edit)(f))?;
        let runs = run_scenario(alt, threads)?;
        effects.push(Effect {
            label: c.label,
            kind: c.kind,
            lifetime: Interval::paired(&life(&base), &life(&runs)),
            active: Interval::paired(&act(&base), &act(&runs)),
        });
    }
    // Largest changes first: clear changes in lifetime, largest first;
    // then the rest by activity. A group that outlives the horizon in most
    // runs has its lifetime censored there, so a change in lifetime that
    // noise could give says less than a clear change in activity.
    let life_rank = |x: &Effect| {
        if x.lifetime.excludes_zero() {
            x.lifetime.mean.abs()
        } else {
            0.0
        }
    };
    effects.sort_by(|a, b| {
        life_rank(b)
            .total_cmp(&life_rank(a))
            .then(b.active.mean.abs().total_cmp(&a.active.mean.abs()))
    });
    Ok(Explanation {
        name: spec.name.clone(),
        runs: base.len(),
        days: spec.days,
        phases: phases_summary,
        causes,
        effects,
        saves,
        baseline: Baseline {
            purse,
            spend: base_spend,
            sustaining: mean(&sus(&base)),
        },
        per_run,
    })
}

/// Orders the levers by lifetime gained (then self-sustaining share gained,
/// activity gained, label) and numbers their ranks by self-sustaining share
/// (then lifetime gained, label).
pub fn rank_saves(saves: &mut [Saving]) {
    saves.sort_by(|a, b| {
        b.lifetime
            .mean
            .total_cmp(&a.lifetime.mean)
            .then(b.sustaining_gain.mean.total_cmp(&a.sustaining_gain.mean))
            .then(b.active.mean.total_cmp(&a.active.mean))
            .then(a.label.cmp(&b.label))
    });
    let mut by_sus: Vec<usize> = (0..saves.len()).collect();
    by_sus.sort_by(|&i, &j| {
        let (a, b) = (&saves[i], &saves[j]);
        b.sustaining
            .total_cmp(&a.sustaining)
            .then(b.lifetime.mean.total_cmp(&a.lifetime.mean))
            .then(a.label.cmp(&b.label))
    });
    for (rank, i) in by_sus.into_iter().enumerate() {
        saves[i].rank_sustaining = rank + 1;
    }
}

/// How a change reads: lifetime gained or lost with its interval, and
/// active members a day; when the two move in opposite directions the
/// sentence says so and what it means, so it never contradicts itself.
pub fn change_sentence(lifetime: &Interval, active: &Interval) -> String {
    let days = lifetime.mean.abs().round();
    let unit = if days == 1.0 { "day" } else { "days" };
    let life = if days == 0.0 {
        "the group would have lived about as long".to_string()
    } else if lifetime.mean > 0.0 {
        format!("the group would have lived {days:.0} {unit} longer")
    } else {
        format!("the group would have lived {days:.0} {unit} less")
    };
    let interval = format!(
        "(95% interval {:+.1} to {:+.1} days)",
        lifetime.lo, lifetime.hi
    );
    let a = active.mean;
    let people = format!("{:.1}", a.abs());
    if people == "0.0" {
        return format!("{life} {interval}, with about as many active members a day");
    }
    let more = if a > 0.0 { "more" } else { "fewer" };
    let active_part = format!("{people} {more} active members a day");
    match (days == 0.0, lifetime.mean > 0.0, a > 0.0) {
        (true, _, _) => format!("{life} {interval}, with {active_part}"),
        (false, true, false) => {
            format!("{life} {interval} but with {active_part}: a slower, quieter decline")
        }
        (false, false, true) => format!(
            "{life} {interval} but with {active_part}: livelier while it lasted, then gone sooner"
        ),
        _ => format!("{life} {interval}, with {active_part}"),
    }
}

fn share(n: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * n as f64 / total as f64
    }
}

/// The leading cause of leaving in a phase, with its share in percent.
pub fn leading_cause(causes: &[u64; CAUSES.len()]) -> Option<(&'static str, f64)> {
    let total: u64 = causes.iter().sum();
    let (i, &n) = causes.iter().enumerate().max_by_key(|(_, &n)| n)?;
    (n > 0).then(|| (CAUSES[i].name(), share(n, total)))
}

/// A plain-language account built only from the numbers.
pub fn narrative(e: &Explanation) -> String {
    let mut out = Vec::new();
    let day = |k: usize| (e.phases[k].runs * 2 > e.runs).then_some(e.phases[k].median);
    match day(1) {
        Some(d) => out.push(format!(
            "The honeymoon lasted {d:.0} days in the typical run: from day {d:.0}, activity per member had halved (doubt)."
        )),
        None => out.push(format!(
            "In most runs activity per member never halved within {} days: no doubt phase.",
            e.days
        )),
    }
    if let Some(d) = day(2) {
        out.push(format!("From day {d:.0}, membership fell (breakup)."));
    }
    match day(3) {
        Some(d) => out.push(format!("The group was dead by day {d:.0}.")),
        None => out.push(format!(
            "In most runs the group was still alive on day {}.",
            e.days
        )),
    }
    let total: [u64; CAUSES.len()] = (0..CAUSES.len())
        .map(|c| e.causes.iter().map(|p| p[c]).sum())
        .collect::<Vec<_>>()
        .try_into()
        .expect("one entry per cause");
    if let Some((cause, pct)) = leading_cause(&total) {
        out.push(format!(
            "{} caused {pct:.0}% of all departures.",
            cause_phrase(cause)
        ));
    }
    for (k, name) in PHASES.iter().enumerate().skip(1) {
        if let (Some(_), Some((cause, pct))) = (day(k), leading_cause(&e.causes[k])) {
            let when = if *name == "dead" {
                "After the group died".to_string()
            } else {
                format!("During {name}")
            };
            out.push(format!(
                "{when}, {} caused {pct:.0}% of departures.",
                cause_phrase(cause).to_lowercase()
            ));
        }
    }
    out.extend(saved_sentences(e));
    let clear: Vec<&Effect> = e
        .effects
        .iter()
        .filter(|x| x.lifetime.excludes_zero() || x.active.excludes_zero())
        .collect();
    if !clear.is_empty() {
        out.push(format!(
            "{} (not operator choices: the model's mechanisms, and the strategies it used):",
            why_heading(e)
        ));
    }
    for x in clear.iter().take(3) {
        out.push(format!(
            "{}, {}.",
            capitalise(&x.label),
            change_sentence(&x.lifetime, &x.active)
        ));
    }
    if clear.is_empty() {
        out.push("No single strategy or mechanism changed the outcome clearly.".into());
    }
    out.join(" ")
}

/// The narrative's "What would have saved it" sentences.
fn saved_sentences(e: &Explanation) -> Vec<String> {
    let mut out = Vec::new();
    if e.saves.is_empty() {
        return out;
    }
    let b = &e.baseline;
    if b.purse.funds == 0.0 {
        out.push(
            "The original spent no money, so each lever had none either: only levers that cost time alone could act.".into(),
        );
    }
    let clear: Vec<&Saving> = e.saves.iter().filter(|x| x.lifetime.lo > 0.0).collect();
    for (k, x) in clear.iter().take(3).enumerate() {
        let lead = if k == 0 {
            format!(
                "What would have saved it, at the same spend: {}; {}",
                x.label,
                change_sentence(&x.lifetime, &x.active)
            )
        } else {
            format!(
                "Next, {}: {}",
                x.label,
                change_sentence(&x.lifetime, &x.active)
            )
        };
        out.push(format!("{lead}."));
    }
    if clear.is_empty() {
        out.push(format!(
            "None of the {} operator levers tried at the same spend clearly lengthened its life.",
            e.saves.len()
        ));
    }
    if let Some(x) = e
        .saves
        .iter()
        .filter(|x| x.sustaining_gain.lo > 0.0)
        .min_by_key(|x| x.rank_sustaining)
    {
        out.push(format!(
            "Self-sustaining most often: {} ({:.0}% of runs, against {:.0}% as it was).",
            x.label,
            100.0 * x.sustaining,
            100.0 * b.sustaining
        ));
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn cause_phrase(cause: &str) -> &'static str {
    match cause {
        "boredom" => "Boredom (too little value)",
        "unmet_need" => "Unmet needs",
        "lost_trust" => "Lost trust",
        "annoyance" => "Annoyance and overload",
        "friends" => "Friends leaving",
        "fee_not_renewed" => "Not renewing",
        "removed" => "Removal by moderators",
        _ => "Other",
    }
}

/// Whether the group was dead by the last day in most runs.
pub fn died(e: &Explanation) -> bool {
    e.phases
        .iter()
        .find(|p| p.name == "dead")
        .is_some_and(|p| p.runs * 2 > e.runs)
}

/// The heading of the counterfactuals: "Why it died" for a group dead by
/// the end in most runs; for one that lives, what its life rests on.
pub fn why_heading(e: &Explanation) -> &'static str {
    if died(e) {
        "Why it died"
    } else {
        "What its life rests on"
    }
}

/// explain.md: the phases, causes and counterfactual tables and the narrative.
pub fn markdown(e: &Explanation) -> String {
    let mut s = format!(
        "# The lifecycle of `{}`: phases, causes, what would have saved it and {}\n\n{} runs of {} days, common random numbers for every lever and counterfactual.\n\n{}\n\n",
        e.name,
        why_heading(e).to_lowercase(),
        e.runs,
        e.days,
        narrative(e)
    );
    s.push_str("## Phases (honeymoon, doubt, breakup: claim L2)\n\n| phase | starts on day (median) | 5%–95% of runs | runs where it occurs |\n|---|---|---|---|\n");
    for p in &e.phases {
        if p.runs == 0 {
            s.push_str(&format!("| {} | — | — | 0 |\n", p.name));
        } else {
            s.push_str(&format!(
                "| {} | {:.0} | {:.0}–{:.0} | {} |\n",
                p.name, p.median, p.p5, p.p95, p.runs
            ));
        }
    }
    s.push_str("\nRules: docs/outputs.md, \"Phases\".\n\n## Who left and why, by phase (% of the phase's leavers)\n\n| phase | leavers |");
    for c in CAUSES {
        s.push_str(&format!(" {} |", c.name()));
    }
    s.push_str("\n|---|---|");
    for _ in CAUSES {
        s.push_str("---|");
    }
    s.push('\n');
    for (k, name) in PHASES.iter().enumerate() {
        let total: u64 = e.causes[k].iter().sum();
        s.push_str(&format!("| {name} | {total} |"));
        for n in e.causes[k] {
            s.push_str(&format!(" {:.0} |", share(n, total)));
        }
        s.push('\n');
    }
    s.push_str(&saved_markdown(e));
    s.push_str(&format!(
        "\n## {}: mechanisms and strategies, largest change first\n\nClear changes in lifetime come first, largest first; then the rest, by the change in active members a day.\n\n",
        why_heading(e)
    ));
    s.push_str("Not operator choices: each decay mechanism of the model neutralised (no operator can choose that), and each strategy the scenario uses removed (which also spends less), on the same runs as the original.\n\n| change | kind | lifetime days gained | 95% interval | active members a day gained | 95% interval |\n|---|---|---|---|---|---|\n");
    for x in &e.effects {
        s.push_str(&format!(
            "| {} | {} | {:+.1} | {:+.1} to {:+.1} | {:+.2} | {:+.2} to {:+.2} |\n",
            x.label,
            x.kind,
            x.lifetime.mean,
            x.lifetime.lo,
            x.lifetime.hi,
            x.active.mean,
            x.active.lo,
            x.active.hi
        ));
    }
    s
}

fn purse_words(b: &Baseline) -> String {
    let funds = if b.purse.funds_from_spend {
        format!(
            "funds {:.2} (the original's were unlimited: its mean spend per run)",
            b.purse.funds
        )
    } else {
        format!("funds {:.2}, as the original's", b.purse.funds)
    };
    let hours = if b.purse.hours_from_use {
        format!(
            "{:.2} hours a week (the original's were unlimited: its mean use a week, at least {})",
            b.purse.hours_per_week,
            levers::HOURS_FLOOR
        )
    } else {
        format!(
            "{:.2} hours a week, as the original's",
            b.purse.hours_per_week
        )
    };
    format!("{funds}; {hours}")
}

/// explain.md's "What would have saved it" section.
fn saved_markdown(e: &Explanation) -> String {
    let b = &e.baseline;
    let mut s = format!(
        "\n## What would have saved it: operator levers at the same spend\n\nEach operator lever the scenario does not use, added, and each one it uses, strengthened (docs/outputs.md, \"levers.csv\"), paid first, within the original's purse: {}. Revenue is reinvested as in the original. Same seed and runs as the original: paired 95% intervals. Ranked by lifetime gained.\n\n",
        purse_words(b)
    );
    if b.purse.funds == 0.0 {
        s.push_str("The original spent no money, so every lever gets 0 money: only levers that cost time alone can act (and a fee's revenue, reinvested).\n\n");
    }
    if e.saves.is_empty() {
        s.push_str("No lever applies.\n");
        return s;
    }
    s.push_str("| rank | lever | change | lifetime days gained | 95% interval | active members a day gained | self-sustaining runs | gain (points) | 95% interval | rank by self-sustaining | money spent | net of reinvested revenue | hours a week | runs changed |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    s.push_str(&format!(
        "| — | original | — | — | — | — | {:.0}% | — | — | — | {:.2} | {:.2} | {:.2} | — |\n",
        100.0 * b.sustaining,
        b.spend.money,
        b.spend.net,
        b.spend.hours_per_week
    ));
    for (k, x) in e.saves.iter().enumerate() {
        s.push_str(&format!(
            "| {} | {} | {}: {} | {:+.1} | {:+.1} to {:+.1} | {:+.2} | {:.0}% | {:+.0} | {:+.0} to {:+.0} | {} | {:.2} | {:.2} | {:.2} | {} |\n",
            k + 1,
            x.lever,
            x.change.name(),
            x.label,
            x.lifetime.mean,
            x.lifetime.lo,
            x.lifetime.hi,
            x.active.mean,
            100.0 * x.sustaining,
            100.0 * x.sustaining_gain.mean,
            100.0 * x.sustaining_gain.lo,
            100.0 * x.sustaining_gain.hi,
            x.rank_sustaining,
            x.spend.money,
            x.spend.net,
            x.spend.hours_per_week,
            x.runs_changed
        ));
    }
    if e.saves.iter().any(|x| x.runs_changed == 0) {
        s.push_str("\nA lever with 0 runs changed never acted: within this purse it could not be paid for (or, paid last, found nothing left).\n");
    }
    let mut by: Vec<&Saving> = e.saves.iter().collect();
    by.sort_by_key(|x| x.rank_sustaining);
    let list: Vec<String> = by
        .iter()
        .map(|x| {
            format!(
                "{}. {} ({:.0}%)",
                x.rank_sustaining,
                x.label,
                100.0 * x.sustaining
            )
        })
        .collect();
    s.push_str(&format!(
        "\nBy self-sustaining share (alive at the end, reinvested revenue covering spending over the last 30 days): {}.\n",
        list.join("; ")
    ));
    s
}

/// levers.csv: the operator levers at the original's spend, ranked by
/// lifetime gained.
pub fn levers_csv(e: &Explanation) -> String {
    let b = &e.baseline;
    let mut out = String::from("rank,rank_self_sustaining,lever,change,label,lifetime_gain,lifetime_lo,lifetime_hi,active_gain,active_lo,active_hi,self_sustaining,self_sustaining_gain,self_sustaining_lo,self_sustaining_hi,money_spent,net_spent,hours_per_week,funds,hours_cap,original_self_sustaining,original_money_spent,original_net_spent,original_hours_per_week,runs_changed\n");
    for (k, x) in e.saves.iter().enumerate() {
        let cells = [
            (k + 1).to_string(),
            x.rank_sustaining.to_string(),
            x.lever.to_string(),
            x.change.name().to_string(),
            crate::compare::csv_field(&x.label),
            output::fmt6(x.lifetime.mean),
            output::fmt6(x.lifetime.lo),
            output::fmt6(x.lifetime.hi),
            output::fmt6(x.active.mean),
            output::fmt6(x.active.lo),
            output::fmt6(x.active.hi),
            output::fmt6(x.sustaining),
            output::fmt6(x.sustaining_gain.mean),
            output::fmt6(x.sustaining_gain.lo),
            output::fmt6(x.sustaining_gain.hi),
            output::fmt6(x.spend.money),
            output::fmt6(x.spend.net),
            output::fmt6(x.spend.hours_per_week),
            output::fmt6(b.purse.funds),
            output::fmt6(b.purse.hours_per_week),
            output::fmt6(b.sustaining),
            output::fmt6(b.spend.money),
            output::fmt6(b.spend.net),
            output::fmt6(b.spend.hours_per_week),
            x.runs_changed.to_string(),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// phases.csv: the day each phase starts in each run (empty: never).
pub fn phases_csv(e: &Explanation) -> String {
    let mut out = format!("run,{}\n", PHASES.join(","));
    for (r, p) in e.per_run.iter().enumerate() {
        let cells: Vec<String> = p
            .iter()
            .map(|d| d.map_or(String::new(), |d| d.to_string()))
            .collect();
        out.push_str(&format!("{r},{}\n", cells.join(",")));
    }
    out
}

/// counterfactuals.csv: each change with its paired effects, ranked.
pub fn counterfactuals_csv(e: &Explanation) -> String {
    let mut out = String::from(
        "change,kind,lifetime_gain,lifetime_lo,lifetime_hi,active_gain,active_lo,active_hi\n",
    );
    for x in &e.effects {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            crate::compare::csv_field(&x.label),
            x.kind,
            output::fmt6(x.lifetime.mean),
            output::fmt6(x.lifetime.lo),
            output::fmt6(x.lifetime.hi),
            output::fmt6(x.active.mean),
            output::fmt6(x.active.lo),
            output::fmt6(x.active.hi),
        ));
    }
    out
}

/// `commsim explain`.
pub fn explain(opts: &ExplainOptions, out: &mut impl Write) -> Result<PathBuf> {
    let scenario = crate::app::load_scenario(opts.scenario.as_deref())?
        .with_overrides(opts.runs, opts.seed)?;
    if scenario.spec().runs < 2 {
        return Err(Error::Usage(
            "explain needs at least 2 runs for its intervals (--runs)".into(),
        ));
    }
    let dir = opts.out.clone().unwrap_or_else(|| {
        PathBuf::from("outputs").join(format!("explain-{}", scenario.spec().name))
    });
    let target = output::claim(&dir, opts.force)?;
    let e = analyse(&scenario, opts.threads)?;
    let md = markdown(&e);
    target.write(|staging| {
        output::write_text(&staging.join("explain.md"), &md)?;
        output::write_text(&staging.join("phases.csv"), &phases_csv(&e))?;
        output::write_text(&staging.join("levers.csv"), &levers_csv(&e))?;
        output::write_text(
            &staging.join("counterfactuals.csv"),
            &counterfactuals_csv(&e),
        )?;
        crate::plot::reports::render_counterfactuals(staging, &e.name)?;
        crate::plot::handout::write(
            staging,
            &format!("commsim explain: {}", e.name),
            crate::plot::handout::Story::Explain(&md),
            &["counterfactuals.svg"],
            &[(scenario.spec().name.clone(), scenario.to_toml())],
        )
        .map(|_| ())
    })?;
    if !opts.quiet {
        writeln!(
            out,
            "{}\n\nfull report: {}",
            narrative(&e),
            dir.join("explain.md").display()
        )
        .map_err(|err| Error::io("stdout", err))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: u32, members: u32, active: u32) -> DayRow {
        DayRow {
            day,
            members,
            active,
            ..DayRow::default()
        }
    }

    #[test]
    fn phases_follow_the_rules_in_order() {
        // Activity per member peaks early, halves on day 4 while members
        // still rise, members fall below 90% of peak on day 6, and from day
        // 7 activity stays under 10% of its peak of 12 (below 1.2).
        let members = [10, 20, 30, 40, 40, 38, 30, 20, 15, 10];
        let active = [0, 10, 12, 10, 4, 3, 2, 1, 0, 0];
        let days: Vec<DayRow> = (0..10)
            .map(|t| row(t, members[t as usize], active[t as usize]))
            .collect();
        let p = phases(&days, 0.1);
        assert_eq!(p, [Some(0), Some(4), Some(6), Some(7)]);
    }

    fn iv(mean: f64) -> Interval {
        Interval {
            mean,
            lo: mean - 1.0,
            hi: mean + 1.0,
        }
    }

    #[test]
    fn a_change_sentence_never_contradicts_itself() {
        let longer_quieter = change_sentence(&iv(7.0), &iv(-2.7));
        assert_eq!(
            longer_quieter,
            "the group would have lived 7 days longer (95% interval +6.0 to +8.0 days) but with 2.7 fewer active members a day: a slower, quieter decline"
        );
        let shorter_livelier = change_sentence(&iv(-3.0), &iv(1.2));
        assert!(
            shorter_livelier.contains("3 days less")
                && shorter_livelier.contains("but with 1.2 more active members")
                && shorter_livelier.contains("gone sooner"),
            "{shorter_livelier}"
        );
        let both = change_sentence(&iv(1.0), &iv(0.5));
        assert!(
            both.contains("1 day longer")
                && both.contains(", with 0.5 more active")
                && !both.contains("but"),
            "{both}"
        );
        let flat = change_sentence(&iv(0.2), &iv(-0.01));
        assert!(
            flat.contains("about as long") && flat.contains("about as many"),
            "{flat}"
        );
        // No signed activity number after a lifetime verb.
        for l in [-5.0, 0.0, 5.0] {
            for a in [-2.0, 0.0, 2.0] {
                let t = change_sentence(&iv(l), &iv(a));
                assert!(
                    !t.contains("; +") && !t.contains("; -") && !t.contains('−'),
                    "{t}"
                );
            }
        }
    }

    #[test]
    fn a_group_that_never_cools_has_no_later_phases() {
        let days: Vec<DayRow> = (0..10).map(|t| row(t, 10 + t, 5 + t / 2)).collect();
        assert_eq!(phases(&days, 0.1), [Some(0), None, None, None]);
    }
}
