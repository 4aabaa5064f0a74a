//! `commsim compare`: which strategy wins, with common random numbers.
//!
//! Every scenario runs with the same seed and number of runs, so run r of
//! each scenario draws the same random numbers for the same purposes (see
//! src/rng.rs): differences come from the strategies, not from luck. Each
//! scenario after the first is compared with the first through paired
//! differences and their 95% intervals.

use std::io::Write;
use std::path::PathBuf;

use crate::batch::{self, BatchOptions};
use crate::error::{Error, Result};
use crate::model::RunOutput;
use crate::output;
use crate::scenario::Scenario;
use crate::stats::Interval;

/// A per-run number compared across scenarios.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Active members on a day.
    ActiveAt(u32),
    PeakMembers,
    LifetimeDays,
    TotalJoined,
    ReferralShare,
    Revenue,
    Cost,
    Roi,
    /// Owner and team hours used in the run (`[operator]`).
    HoursUsed,
    /// Whether the run was self-sustaining (1 or 0; its mean is the share
    /// of runs).
    SelfSustaining,
}

impl Metric {
    /// The metrics of the comparison table, with active members on `days`.
    pub fn table(days: &[u32]) -> Vec<Metric> {
        let mut m: Vec<Metric> = days.iter().map(|&d| Metric::ActiveAt(d)).collect();
        m.extend([
            Metric::PeakMembers,
            Metric::LifetimeDays,
            Metric::TotalJoined,
            Metric::ReferralShare,
            Metric::Revenue,
            Metric::Cost,
            Metric::Roi,
            Metric::HoursUsed,
            Metric::SelfSustaining,
        ]);
        m
    }

    /// Column name in compare.csv.
    pub fn name(&self) -> String {
        match self {
            Metric::ActiveAt(d) => format!("active_day_{d}"),
            Metric::PeakMembers => "peak_members".into(),
            Metric::LifetimeDays => "lifetime_days".into(),
            Metric::TotalJoined => "total_joined".into(),
            Metric::ReferralShare => "referral_share".into(),
            Metric::Revenue => "revenue".into(),
            Metric::Cost => "cost".into(),
            Metric::Roi => "roi".into(),
            Metric::HoursUsed => "hours_used".into(),
            Metric::SelfSustaining => "self_sustaining".into(),
        }
    }

    /// How the metric reads in a sentence ("more active members at day 90").
    fn phrase(&self) -> String {
        match self {
            Metric::ActiveAt(d) => format!("active members at day {d}"),
            Metric::PeakMembers => "members at the peak".into(),
            Metric::LifetimeDays => "lifetime".into(),
            Metric::TotalJoined => "joiners".into(),
            Metric::ReferralShare => "share of joins by invitation".into(),
            Metric::Revenue => "revenue".into(),
            Metric::Cost => "cost".into(),
            Metric::Roi => "return on investment".into(),
            Metric::HoursUsed => "hours used".into(),
            Metric::SelfSustaining => "share of self-sustaining runs".into(),
        }
    }

    /// The metric's value in one run (NaN where undefined: ROI without cost).
    pub fn of(&self, r: &RunOutput) -> f64 {
        let s = &r.summary;
        match self {
            Metric::ActiveAt(d) => r
                .days
                .get(*d as usize)
                .map_or(f64::NAN, |x| x.active as f64),
            Metric::PeakMembers => s.peak_members as f64,
            Metric::LifetimeDays => s.lifetime_days as f64,
            Metric::TotalJoined => s.total_joined as f64,
            Metric::ReferralShare => s.referral_share,
            Metric::Revenue => s.revenue,
            Metric::Cost => s.cost,
            Metric::HoursUsed => s.hours_used,
            Metric::SelfSustaining => f64::from(u8::from(s.self_sustaining)),
            Metric::Roi => {
                if s.cost > 0.0 {
                    (s.revenue - s.cost) / s.cost
                } else {
                    f64::NAN
                }
            }
        }
    }
}

/// Options of `commsim compare`.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    pub scenarios: Vec<PathBuf>,
    pub runs: Option<u32>,
    pub seed: Option<u64>,
    /// Days at which active members are compared (default 7, 30, 90).
    pub days: Vec<u32>,
    pub threads: usize,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub quiet: bool,
    /// Give each scenario its own seed and compare with unpaired (Welch)
    /// intervals, to measure what common random numbers gain.
    pub independent: bool,
    /// `--budget B`: every scenario runs with `operator.funds = B` (yuan;
    /// infinite = unlimited).
    pub budget: Option<f64>,
}

/// What `--budget` allows, for its messages.
pub const BUDGET_ALLOWED: &str =
    "allowed: a number of yuan, 0 or more (e.g. 5000), or inf for unlimited funds";

/// Parses `--budget` (for the command line): a number of yuan, 0 or more, or
/// `inf`.
pub fn parse_budget(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    let v: f64 = t
        .parse()
        .map_err(|_| format!("not a number; {BUDGET_ALLOWED}"))?;
    if v.is_nan() || v < 0.0 {
        return Err(format!("not a budget; {BUDGET_ALLOWED}"));
    }
    Ok(v)
}

fn check_budget(b: f64) -> Result<()> {
    if b.is_nan() || b < 0.0 {
        return Err(Error::Usage(format!("--budget {b}: {BUDGET_ALLOWED}")));
    }
    Ok(())
}

/// The scenario with `operator.funds = b` (infinite: "unlimited"), checked
/// again as a whole, as `--set operator.funds=B` would do. Set directly in
/// the scenario's tree rather than through `app::apply_sets`, whose type
/// check refuses a number where the field holds "unlimited".
fn with_funds(s: Scenario, b: f64) -> Result<Scenario> {
    let mut resolved = s.clone();
    if let Some(n) = resolved.population_size() {
        resolved.set_population_size(n);
    }
    let mut tree: toml::Table =
        toml::from_str(&resolved.to_toml()).expect("a resolved scenario reads back as TOML");
    let value = if b.is_infinite() {
        toml::Value::String("unlimited".into())
    } else {
        toml::Value::Float(b)
    };
    let operator = tree
        .entry("operator")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let toml::Value::Table(t) = operator {
        t.insert("funds".into(), value);
    }
    let text = toml::to_string(&tree).expect("a TOML tree serialises");
    Scenario::from_toml(&text, s.source(), std::path::Path::new("."), &s.spec().name).map_err(|e| {
        match e {
            Error::Scenario { message, .. } => Error::Usage(format!(
                "{}: after --budget {b}: {message}",
                s.source().display()
            )),
            other => other,
        }
    })
}

/// One row of the comparison: a scenario's mean of a metric and, for all
/// but the first scenario, the difference to the first.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub metric: Metric,
    pub mean: f64,
    /// Difference to the first scenario (None for the first).
    pub diff: Option<Interval>,
    /// Mean of the first scenario (for relative differences).
    pub base: f64,
    /// Whether this scenario's value equals the first's in every run (false
    /// for the first).
    pub identical: bool,
}

/// Runs a scenario for the comparison.
pub fn run_scenario(s: Scenario, threads: usize) -> Result<Vec<RunOutput>> {
    let (s, g) = batch::prepare(s, threads)?;
    Ok(batch::run_batch(
        s,
        g,
        BatchOptions {
            threads,
            progress: false,
        },
    )?
    .runs)
}

/// Values of a metric over runs, keeping run order; paired comparisons use
/// only runs where both values are defined.
fn paired_interval(a: &[f64], b: &[f64]) -> Interval {
    let (x, y): (Vec<f64>, Vec<f64>) = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .unzip();
    Interval::paired(&x, &y)
}

fn finite(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|x| x.is_finite()).collect()
}

/// Compares the runs of several scenarios (the first is the reference).
pub fn table(
    names: &[String],
    runs: &[Vec<RunOutput>],
    metrics: &[Metric],
    independent: bool,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for &metric in metrics {
        let values: Vec<Vec<f64>> = runs
            .iter()
            .map(|rs| rs.iter().map(|r| metric.of(r)).collect())
            .collect();
        let base = Interval::of(&finite(&values[0])).mean;
        for (i, v) in values.iter().enumerate() {
            let diff = (i > 0).then(|| {
                if independent {
                    Interval::welch(&finite(&values[0]), &finite(v))
                } else {
                    paired_interval(&values[0], v)
                }
            });
            let identical = i > 0
                && v.len() == values[0].len()
                && v.iter()
                    .zip(&values[0])
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()));
            rows.push(Row {
                scenario: names[i].clone(),
                metric,
                mean: Interval::of(&finite(v)).mean,
                diff,
                base,
                identical,
            });
        }
    }
    rows
}

/// How a metric's differences are stated: its unit, and whether a relative
/// change can be meaningful.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    /// Members (active, at the peak, joiners): a count.
    Members,
    Days,
    Yuan,
    /// Owner or team hours (`hours_used`, from `[operator]`).
    Hours,
    /// A share of 0 to 1, stated in percentage points.
    Share,
    /// A ratio (ROI): net yuan per yuan spent.
    Ratio,
}

impl Unit {
    /// The word after an interval ("(95% interval -1.2 to +3.4 members)").
    fn word(self) -> &'static str {
        match self {
            Unit::Members => " members",
            Unit::Days => " days",
            Unit::Yuan => " yuan",
            Unit::Hours => " hours",
            Unit::Share => " percentage points",
            Unit::Ratio => " net yuan per yuan spent",
        }
    }

    /// Shares are stated in percentage points.
    fn scale(self) -> f64 {
        if self == Unit::Share {
            100.0
        } else {
            1.0
        }
    }

    /// Whether a relative change may be given at all: for counts, days,
    /// money and hours; never for shares (already in points) or ratios
    /// (which can be negative or near zero).
    fn relative(self) -> bool {
        matches!(self, Unit::Members | Unit::Days | Unit::Yuan | Unit::Hours)
    }
}

impl Metric {
    fn unit(&self) -> Unit {
        match self {
            Metric::ActiveAt(_) | Metric::PeakMembers | Metric::TotalJoined => Unit::Members,
            Metric::LifetimeDays => Unit::Days,
            Metric::ReferralShare => Unit::Share,
            Metric::Revenue | Metric::Cost => Unit::Yuan,
            Metric::Roi => Unit::Ratio,
            Metric::HoursUsed => Unit::Hours,
            Metric::SelfSustaining => Unit::Share,
        }
    }

    /// The sentence stating a clear difference: `b` is the scenario, `a` the
    /// reference, `amount` the absolute difference (with its ± when there is
    /// one), `up` whether the scenario's value is the larger.
    fn sentence(&self, b: &str, a: &str, amount: &str, up: bool) -> String {
        let (more, fewer, higher) = if up {
            ("more", "more", "higher")
        } else {
            ("less", "fewer", "lower")
        };
        match self {
            Metric::ActiveAt(d) => {
                format!("{b} keeps {amount} {fewer} active members at day {d} than {a}")
            }
            Metric::PeakMembers => format!("{b} keeps {amount} {fewer} members at the peak than {a}"),
            Metric::LifetimeDays => format!("{b} has {amount} {fewer} days of lifetime than {a}"),
            Metric::TotalJoined => format!("{b} has {amount} {fewer} joiners than {a}"),
            Metric::ReferralShare => format!(
                "{b}'s share of joins by invitation is {amount} percentage points {higher} than {a}'s"
            ),
            Metric::Revenue => format!("{b} has {amount} yuan {more} revenue than {a}"),
            Metric::Cost => format!("{b} costs {amount} yuan {more} than {a}"),
            Metric::Roi => format!(
                "{b}'s return on investment is {amount} {higher} than {a}'s (in net yuan per yuan spent)"
            ),
            Metric::HoursUsed => {
                format!("{b} uses {amount} {fewer} hours of owner and team time than {a}")
            }
            Metric::SelfSustaining => format!(
                "{b}'s share of self-sustaining runs is {amount} percentage points {higher} than {a}'s"
            ),
        }
    }
}

/// Decimals for a difference: two significant digits of the interval's
/// half-width, or, without a width, enough for the value itself.
fn decimals(value: f64, half_width: f64) -> usize {
    let scale = if half_width > 0.0 && half_width.is_finite() {
        half_width
    } else {
        value.abs()
    };
    if scale > 0.0 && scale.is_finite() {
        (1 - scale.log10().floor() as i64).clamp(0, 6) as usize
    } else {
        0
    }
}

/// A number with `dec` decimals and thousands separators ("5,800.03").
pub fn grouped(x: f64, dec: usize) -> String {
    let text = format!("{:.dec$}", x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (text.clone(), String::new()),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    // No "-0.0": a value that rounds to zero has no sign.
    let zero = text.chars().all(|c| c == '0' || c == '.');
    let sign = if x < 0.0 && !zero { "-" } else { "" };
    format!("{sign}{out}{frac}")
}

fn signed(x: f64, dec: usize) -> String {
    let g = grouped(x, dec);
    if g.starts_with('-') {
        g
    } else {
        format!("+{g}")
    }
}

/// Whether a relative change against `base` means something (the rule of
/// [`relative_change`]; compare.csv's `relative_diff` follows it too).
pub fn relative_meaningful(unit_allows: bool, base: f64, half_width: f64) -> bool {
    unit_allows && base >= 1.0 && base >= 4.0 * half_width
}

/// The relative change of `mean` against the reference's `base`, when one is
/// meaningful: the metric is a count, days, money or hours, the base is at
/// least 1 unit (member, day, yuan, hour) and at least 4 times the
/// interval's half-width (so the relative change is known to within a
/// quarter of itself). " (+35%)", or " (113 times as much)" from 10 times up.
pub fn relative_change(unit_allows: bool, base: f64, mean: f64, half_width: f64) -> Option<String> {
    if !relative_meaningful(unit_allows, base, half_width) || !mean.is_finite() {
        return None;
    }
    let rel = mean / base;
    if 1.0 + rel >= 10.0 {
        return Some(format!(" ({} times as much)", grouped(1.0 + rel, 0)));
    }
    let pct = 100.0 * rel;
    let text = if pct.abs() < 1.0 {
        format!("{pct:+.1}%")
    } else {
        format!("{pct:+.0}%")
    };
    if text.trim_start_matches(['+', '-']) == "0.0%" {
        return None;
    }
    Some(format!(" ({text})"))
}

/// A plain-language verdict on one difference (see docs/compare.md#verdicts).
pub fn verdict(row: &Row, base_name: &str) -> Option<String> {
    let d = row.diff?;
    if !d.mean.is_finite() {
        return None;
    }
    let what = row.metric.phrase();
    let unit = row.metric.unit();
    let (a, b) = (base_name, row.scenario.as_str());
    if row.identical {
        return Some(format!(
            "no difference in {what} between {a} and {b} (identical in every run)"
        ));
    }
    let k = unit.scale();
    let (mean, half) = (d.mean * k, d.half_width() * k);
    if !(d.lo.is_finite() && d.hi.is_finite()) {
        return Some(format!(
            "no detectable difference in {what} between {a} and {b} (too few runs with a value for an interval)"
        ));
    }
    let dec = decimals(mean, half);
    if !d.excludes_zero() {
        return Some(format!(
            "no detectable difference in {what} between {a} and {b} (95% interval {} to {}{})",
            signed(d.lo * k, dec),
            signed(d.hi * k, dec),
            unit.word()
        ));
    }
    let amount = if half > 0.0 {
        format!("{} (±{})", grouped(mean.abs(), dec), grouped(half, dec))
    } else {
        grouped(mean.abs(), dec)
    };
    let mut text = row.metric.sentence(b, a, &amount, d.mean > 0.0);
    if half == 0.0 {
        text.push_str(" in every run");
    }
    if let Some(rel) = relative_change(unit.relative(), row.base * k, mean, half) {
        text.push_str(&rel);
    }
    Some(text)
}

/// A mean amount spent, for the spend lines ("5,852", "51.8", "0.35").
fn spent(x: f64) -> String {
    let dec = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 1.0 {
        1
    } else if x == 0.0 {
        0
    } else {
        2
    };
    grouped(x, dec)
}

/// The warning when a scenario spent more than 5% more or less than the
/// reference (mean per run): `what` is "money" or "hours", `unit` its unit.
pub fn spend_warning(
    name: &str,
    base_name: &str,
    what: &str,
    unit: &str,
    mean: f64,
    base: f64,
) -> Option<String> {
    let diff = mean - base;
    if !diff.is_finite() || diff.abs() <= 0.05 * base.abs() || diff.abs() < 1e-9 {
        return None;
    }
    let amounts = format!("({} vs {} {unit})", spent(mean), spent(base));
    let bought = "differences may be bought, not earned";
    Some(if base.abs() < 1e-9 {
        format!(
            "{name} spent {} {unit} where {base_name} spent none: {bought}",
            spent(mean)
        )
    } else if mean >= 10.0 * base {
        format!(
            "{name} spent {} times as much {what} as {base_name} {amounts}: {bought}",
            grouped(mean / base, 0)
        )
    } else if diff > 0.0 {
        format!(
            "{name} spent {:.0}% more {what} than {base_name} {amounts}: {bought}",
            100.0 * diff / base
        )
    } else {
        format!(
            "{name} spent {:.0}% less {what} than {base_name} {amounts}: its differences came on a smaller spend",
            -100.0 * diff / base
        )
    })
}

/// How a scenario's social graph relates to the runs, for the interval note.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GraphKind {
    /// A generated graph shared by all runs (`population.resample = false`).
    Fixed,
    /// A generated graph drawn anew in every run (`resample = true`).
    Resampled,
    /// A graph read from a file: the same in every run.
    File,
    /// No graph (`well-mixed`).
    WellMixed,
}

impl GraphKind {
    pub fn of(s: &Scenario) -> GraphKind {
        let p = &s.spec().population;
        if p.graph.is_well_mixed() {
            GraphKind::WellMixed
        } else if matches!(p.graph, crate::scenario::GraphSpec::File { .. }) {
            GraphKind::File
        } else if p.resample {
            GraphKind::Resampled
        } else {
            GraphKind::Fixed
        }
    }
}

/// What the intervals cover, for the report (see docs/compare.md#verdicts).
pub fn interval_note(names: &[String], kinds: &[GraphKind], independent: bool) -> String {
    let mode = if independent {
        "independent seeds"
    } else {
        "common random numbers"
    };
    let with = |k: GraphKind| -> Vec<&str> {
        names
            .iter()
            .zip(kinds)
            .filter(|(_, &g)| g == k)
            .map(|(n, _)| n.as_str())
            .collect()
    };
    let (fixed, resampled) = (with(GraphKind::Fixed), with(GraphKind::Resampled));
    let narrow = "docs/compare.md measures them as 1.2–2.1× too narrow for that (2.8× for cost)";
    if !fixed.is_empty() && !resampled.is_empty() {
        format!(
            "Intervals cover run-to-run luck ({mode}); they cover the choice of graph only for {} \
             (population.resample = true), not for {}, whose runs share one social graph — {narrow}. \
             Set population.resample = true in every scenario to include it.",
            resampled.join(", "),
            fixed.join(", ")
        )
    } else if !fixed.is_empty() {
        let graph = if independent {
            "one social graph per scenario"
        } else {
            "one social graph"
        };
        format!(
            "Intervals cover run-to-run luck on {graph} ({mode}); they do not cover the choice \
             of graph — {narrow}. Set population.resample = true to include it."
        )
    } else if !resampled.is_empty() {
        format!(
            "Intervals cover run-to-run luck ({mode}) including the choice of graph: every run \
             draws its own social graph (population.resample = true)."
        )
    } else if kinds.contains(&GraphKind::File) {
        format!(
            "Intervals cover run-to-run luck on the social graph of the file ({mode}); they \
             say nothing about other graphs."
        )
    } else {
        format!(
            "Intervals cover run-to-run luck ({mode}); the population is well-mixed, so there \
             is no graph to choose."
        )
    }
}

/// `text` broken into lines of at most `width` characters (at spaces).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out
}

fn num(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// `commsim compare`.
pub fn compare(opts: &CompareOptions, out: &mut impl Write) -> Result<PathBuf> {
    if let Some(b) = opts.budget {
        check_budget(b)?;
    }
    if opts.scenarios.len() < 2 {
        return Err(Error::Usage(
            "compare needs at least two scenario files".into(),
        ));
    }
    let mut loaded = Vec::new();
    for p in &opts.scenarios {
        loaded.push(Scenario::load(p)?);
    }
    let runs = opts.runs.unwrap_or(loaded[0].spec().runs);
    if runs < 2 {
        return Err(Error::Usage(
            "compare needs at least 2 runs for its intervals (--runs)".into(),
        ));
    }
    let seed = opts.seed.unwrap_or(loaded[0].spec().seed);
    // Without --days: days 7, 30 and 90 where every scenario reaches them,
    // else the last day they all simulate.
    let shortest = loaded.iter().map(|s| s.spec().days).min().unwrap_or(1);
    let days = if opts.days.is_empty() {
        let mut d: Vec<u32> = [7, 30, 90].into_iter().filter(|&d| d <= shortest).collect();
        if d.last() != Some(&shortest) && d.len() < 3 {
            d.push(shortest);
        }
        d
    } else {
        opts.days.clone()
    };
    let mut scenarios = Vec::new();
    for (i, s) in loaded.into_iter().enumerate() {
        // Independent mode gives each scenario its own seed; the default
        // shares one seed so run r of every scenario uses the same streams.
        let seed = if opts.independent {
            seed.wrapping_add(i as u64)
        } else {
            seed
        };
        let s = s.with_overrides(Some(runs), Some(seed))?;
        let s = match opts.budget {
            Some(b) => with_funds(s, b)?,
            None => s,
        };
        if let Some(&d) = days.iter().find(|&&d| d > s.spec().days) {
            return Err(Error::Usage(format!(
                "--days {d} is beyond {} ({} days simulated)",
                s.source().display(),
                s.spec().days
            )));
        }
        scenarios.push(s);
    }
    let mut names: Vec<String> = scenarios.iter().map(|s| s.spec().name.clone()).collect();
    // Two files with the same name would be indistinguishable in the table.
    for i in 1..names.len() {
        if names[..i].contains(&names[i]) {
            names[i] = format!("{} ({})", names[i], i + 1);
        }
    }
    let dir = opts.out.clone().unwrap_or_else(|| {
        PathBuf::from("outputs").join(format!(
            "compare-{}",
            names.join("-vs-").replace([' ', '(', ')'], "")
        ))
    });
    let tomls: Vec<String> = scenarios.iter().map(|s| s.to_toml()).collect();
    let kinds: Vec<GraphKind> = scenarios.iter().map(GraphKind::of).collect();
    let target = output::claim(&dir, opts.force)?;
    let mut all = Vec::new();
    for s in scenarios {
        all.push(run_scenario(s, opts.threads)?);
    }
    let metrics = Metric::table(&days);
    let rows = table(&names, &all, &metrics, opts.independent);
    let mean_of = |get: fn(&crate::model::RunSummary) -> f64| -> Vec<f64> {
        all.iter()
            .map(|rs| {
                Interval::of(&finite(
                    &rs.iter().map(|r| get(&r.summary)).collect::<Vec<_>>(),
                ))
                .mean
            })
            .collect()
    };
    let (money, hours) = (mean_of(|s| s.cost), mean_of(|s| s.hours_used));
    let context = Context {
        names: &names,
        runs,
        seed,
        independent: opts.independent,
        budget: opts.budget,
        money,
        hours,
        note: interval_note(&names, &kinds, opts.independent),
        dir: &dir,
    };
    target.write(|staging| {
        let mut csv = String::from("scenario,metric,mean,diff,diff_lo,diff_hi,relative_diff\n");
        for r in &rows {
            let (d, lo, hi, rel) = match r.diff {
                Some(i) => (
                    output::fmt6(i.mean),
                    output::fmt6(i.lo),
                    output::fmt6(i.hi),
                    if relative_meaningful(r.metric.unit().relative(), r.base, i.half_width()) {
                        output::fmt6(i.mean / r.base)
                    } else {
                        String::new()
                    },
                ),
                None => Default::default(),
            };
            csv.push_str(&format!(
                "{},{},{},{d},{lo},{hi},{rel}\n",
                csv_field(&r.scenario),
                r.metric.name(),
                output::fmt6(r.mean)
            ));
        }
        output::write_text(&staging.join("compare.csv"), &csv)?;
        output::write_text(&staging.join("compare_bands.csv"), &bands_csv(&names, &all))?;
        crate::plot::reports::render_compare(staging)?;
        let mut text = Vec::new();
        report(&context, &rows, &mut text).map_err(|e| Error::io("report.html", e))?;
        let listed: Vec<(String, String)> = names
            .iter()
            .zip(&tomls)
            .map(|(n, t)| (n.clone(), t.clone()))
            .collect();
        crate::plot::handout::write(
            staging,
            &format!("commsim compare: {}", names.join(" vs ")),
            crate::plot::handout::Story::Compare(&String::from_utf8_lossy(&text)),
            &["compare.svg"],
            &listed,
        )
        .map(|_| ())
    })?;
    if !opts.quiet {
        report(&context, &rows, out).map_err(|e| Error::io("stdout", e))?;
    }
    Ok(dir)
}

/// compare_bands.csv: quartiles of members and active members per scenario
/// and day, across runs (the overlay chart is drawn from it).
fn bands_csv(names: &[String], all: &[Vec<RunOutput>]) -> String {
    let mut out = String::from("scenario,metric,day,p25,p50,p75\n");
    for (name, runs) in names.iter().zip(all) {
        let days = runs.first().map_or(0, |r| r.days.len());
        for (metric, get) in [
            (
                "members",
                (|d: &crate::model::DayRow| d.members as f64) as fn(&crate::model::DayRow) -> f64,
            ),
            ("active", |d| d.active as f64),
        ] {
            for day in 0..days {
                let mut v: Vec<f64> = runs.iter().map(|r| get(&r.days[day])).collect();
                v.sort_by(|a, b| a.total_cmp(b));
                out.push_str(&format!(
                    "{},{metric},{day},{},{},{}\n",
                    csv_field(name),
                    output::fmt6(crate::stats::quantile_sorted(&v, 0.25)),
                    output::fmt6(crate::stats::quantile_sorted(&v, 0.5)),
                    output::fmt6(crate::stats::quantile_sorted(&v, 0.75)),
                ));
            }
        }
    }
    out
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// What the printed report and report.html say besides the rows.
struct Context<'a> {
    names: &'a [String],
    runs: u32,
    seed: u64,
    independent: bool,
    budget: Option<f64>,
    /// Mean money spent per run (`cost`), per scenario.
    money: Vec<f64>,
    /// Mean owner and team hours used per run (`hours_used`), per scenario.
    hours: Vec<f64>,
    note: String,
    dir: &'a std::path::Path,
}

fn report(c: &Context, rows: &[Row], out: &mut impl Write) -> std::io::Result<()> {
    let names = c.names;
    writeln!(
        out,
        "{} runs each, seed {}, {}{}",
        c.runs,
        c.seed,
        if c.independent {
            "independent seeds (unpaired intervals)"
        } else {
            "common random numbers (paired differences)"
        },
        match c.budget {
            Some(b) if b.is_infinite() =>
                ", unlimited funds for every scenario (--budget inf)".to_string(),
            Some(b) => format!(", funds of {} yuan for every scenario (--budget)", spent(b)),
            None => String::new(),
        }
    )?;
    let w = names.iter().map(|n| n.len()).max().unwrap_or(8).max(8);
    write!(out, "{:<18}", "metric")?;
    for (i, n) in names.iter().enumerate() {
        write!(out, " {:>w$}", n)?;
        if i > 0 {
            write!(
                out,
                " {:>22}",
                format!("diff vs {}", names[0].chars().take(12).collect::<String>())
            )?;
        }
    }
    writeln!(out)?;
    let per = names.len();
    for chunk in rows.chunks(per) {
        write!(out, "{:<18}", chunk[0].metric.name())?;
        for r in chunk {
            write!(out, " {:>w$}", num(r.mean))?;
            if let Some(d) = r.diff {
                let cell = if d.mean.is_finite() {
                    format!("{} [{}, {}]", num(d.mean), num(d.lo), num(d.hi))
                } else {
                    "-".into()
                };
                write!(out, " {:>22}", cell)?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out)?;
    let spends: Vec<String> = names
        .iter()
        .zip(&c.money)
        .zip(&c.hours)
        .map(|((n, m), h)| format!("{n} {} yuan and {} hours", spent(*m), spent(*h)))
        .collect();
    writeln!(out, "spent per run (mean): {}", spends.join("; "))?;
    writeln!(out)?;
    for (i, n) in names.iter().enumerate().skip(1) {
        if let Some(v) = spend_warning(n, &names[0], "money", "yuan", c.money[i], c.money[0]) {
            writeln!(out, "- {v}")?;
        }
        if let Some(v) = spend_warning(n, &names[0], "hours", "hours", c.hours[i], c.hours[0]) {
            writeln!(out, "- {v}")?;
        }
    }
    for chunk in rows.chunks(per) {
        for r in chunk.iter().skip(1) {
            if let Some(v) = verdict(r, &names[0]) {
                writeln!(out, "- {v}")?;
            }
        }
    }
    writeln!(out, "\n{}", wrap(&c.note, 78))?;
    writeln!(out, "\nresults in {}", c.dir.display())
}
