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
        }
    }

    /// How the metric reads in a sentence ("more active members at day 90").
    fn phrase(&self) -> String {
        match self {
            Metric::ActiveAt(d) => format!("active members at day {d}"),
            Metric::PeakMembers => "members at the peak".into(),
            Metric::LifetimeDays => "days of lifetime".into(),
            Metric::TotalJoined => "joiners".into(),
            Metric::ReferralShare => "share of joins by invitation".into(),
            Metric::Revenue => "revenue".into(),
            Metric::Cost => "cost".into(),
            Metric::Roi => "return on investment".into(),
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
            rows.push(Row {
                scenario: names[i].clone(),
                metric,
                mean: Interval::of(&finite(v)).mean,
                diff,
                base,
            });
        }
    }
    rows
}

/// A plain-language verdict on one difference.
pub fn verdict(row: &Row, base_name: &str) -> Option<String> {
    let d = row.diff?;
    if !d.mean.is_finite() {
        return None;
    }
    let what = row.metric.phrase();
    let relative = row.base.abs() > 1e-12;
    let amount = |x: f64| {
        if relative {
            format!("{:.0}%", 100.0 * x.abs() / row.base.abs())
        } else {
            format!("{:.2}", x.abs())
        }
    };
    let keeps = if matches!(row.metric, Metric::ActiveAt(_) | Metric::PeakMembers) {
        "keeps"
    } else {
        "has"
    };
    let countable = matches!(
        row.metric,
        Metric::ActiveAt(_) | Metric::PeakMembers | Metric::TotalJoined | Metric::LifetimeDays
    );
    let direction = match (d.mean > 0.0, countable) {
        (true, _) => "more",
        (false, true) => "fewer",
        (false, false) => "less",
    };
    if d.excludes_zero() {
        Some(format!(
            "{} {keeps} {} (±{}) {direction} {what} than {base_name}",
            row.scenario,
            amount(d.mean),
            amount(d.half_width()),
        ))
    } else {
        Some(format!(
            "{} and {base_name} do not differ clearly in {what} (95% interval {:+.2} to {:+.2})",
            row.scenario, d.lo, d.hi
        ))
    }
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
    let target = output::claim(&dir, opts.force)?;
    let mut all = Vec::new();
    for s in scenarios {
        all.push(run_scenario(s, opts.threads)?);
    }
    let metrics = Metric::table(&days);
    let rows = table(&names, &all, &metrics, opts.independent);
    target.write(|staging| {
        let mut csv = String::from("scenario,metric,mean,diff,diff_lo,diff_hi,relative_diff\n");
        for r in &rows {
            let (d, lo, hi, rel) = match r.diff {
                Some(i) => (
                    output::fmt6(i.mean),
                    output::fmt6(i.lo),
                    output::fmt6(i.hi),
                    if r.base.abs() > 1e-12 {
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
        report(&names, &rows, runs, seed, opts.independent, &dir, &mut text)
            .map_err(|e| Error::io("report.html", e))?;
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
        report(&names, &rows, runs, seed, opts.independent, &dir, out)
            .map_err(|e| Error::io("stdout", e))?;
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

fn report(
    names: &[String],
    rows: &[Row],
    runs: u32,
    seed: u64,
    independent: bool,
    dir: &std::path::Path,
    out: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} runs each, seed {seed}, {}",
        runs,
        if independent {
            "independent seeds (unpaired intervals)"
        } else {
            "common random numbers (paired differences)"
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
    for chunk in rows.chunks(per) {
        for r in chunk.iter().skip(1) {
            if let Some(v) = verdict(r, &names[0]) {
                writeln!(out, "- {v}")?;
            }
        }
    }
    writeln!(out, "\nresults in {}", dir.display())
}
