//! Reading a results folder back for the charts.
//!
//! Charts are drawn from the files of a results folder, never from the
//! engine's memory, so `commsim plot` redraws exactly what `commsim run`
//! drew and works on folders that were merged or edited by hand. Every
//! problem becomes an [`Error::ResultsFile`] naming the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::referral::Forest;
use crate::stats::Band;

/// One day of one run: the daily.csv columns the charts use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Day {
    pub members: f64,
    pub active: f64,
    pub silent: f64,
    pub muted: f64,
    pub joined: f64,
    pub referral_joins: f64,
    pub channel_joins: f64,
    pub revenue: f64,
    pub cost: f64,
    /// Leavers by cause, in the order of [`Results::causes`].
    pub left_by_cause: Vec<f64>,
}

/// One row of referrals.csv, without its run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Referral {
    pub day: u32,
    pub inviter: u64,
    pub invitee: u64,
    pub generation: u32,
}

/// Everything the charts need from a results folder.
#[derive(Debug, Clone)]
pub struct Results {
    /// The scenario's name (scenario.toml, else meta.json, else the
    /// folder's name).
    pub name: String,
    /// The `run` value of each run, in the order of daily.csv.
    pub run_ids: Vec<u64>,
    /// Per run (in the order of daily.csv), its days 0 to `days`.
    pub daily: Vec<Vec<Day>>,
    /// Cause names from daily.csv's `left_<cause>` columns, in their order.
    pub causes: Vec<String>,
    /// Per metric of bands.csv, its band for each day (computed from
    /// daily.csv when the folder has no bands.csv).
    pub bands: BTreeMap<String, Vec<Band>>,
    /// Per run, in the order of `daily`, its referrals; `None` when the
    /// folder has no referrals.csv (`output.referrals = false`).
    pub referrals: Option<Vec<Vec<Referral>>>,
    /// Strategy days (lessons, events, rewards, pushes) from the folder's
    /// resolved scenario.toml; empty when it has none.
    pub marks: Vec<(u32, super::marks::Mark)>,
}

impl Results {
    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.daily.len()
    }

    /// Last day (days are 0 to this).
    pub fn days(&self) -> u32 {
        self.daily
            .first()
            .map_or(0, |d| d.len().saturating_sub(1) as u32)
    }

    /// The band of `metric` on every day (empty for a metric that is not
    /// read; [`load`] checks that bands.csv holds all of [`LIFECYCLE_METRICS`]).
    pub fn band(&self, metric: &str) -> &[Band] {
        self.bands.get(metric).map_or(&[], Vec::as_slice)
    }

    /// Total joins of run `r`, launch members included.
    pub fn total_joined(&self, r: usize) -> u64 {
        self.daily[r].iter().map(|d| d.joined as u64).sum()
    }

    /// Run `r`'s referral forest, if referrals.csv was written.
    pub fn forest(&self, r: usize) -> Option<Forest> {
        let refs = self.referrals.as_ref()?;
        Some(Forest::from_pairs(
            refs[r].iter().map(|x| (x.inviter, x.invitee)),
        ))
    }
}

/// Metrics whose bands the lifecycle chart draws; bands.csv must hold each
/// of them (other metrics in it are not read).
pub const LIFECYCLE_METRICS: [&str; 4] = ["members", "active", "silent", "muted"];

fn results_error(path: &Path, line: Option<u64>, message: impl Into<String>) -> Error {
    Error::ResultsFile {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// The header of a CSV file, to find columns by name and to read fields
/// with errors naming the file and line.
struct Table {
    path: PathBuf,
    header: Vec<String>,
}

impl Table {
    /// Opens `path` and reads its header.
    fn open(path: PathBuf) -> Result<(Table, csv::Reader<std::fs::File>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(&path)
            .map_err(|e| match e.kind() {
                csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                    results_error(&path, None, "not found")
                }
                _ => results_error(&path, None, e.to_string()),
            })?;
        let header = reader
            .headers()
            .map_err(|e| results_error(&path, Some(1), e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        Ok((Table { path, header }, reader))
    }

    /// Index of column `name`.
    fn column(&self, name: &str) -> Result<usize> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            results_error(
                &self.path,
                Some(1),
                format!("the header has no column `{name}`"),
            )
        })
    }

    /// Calls `each` with every row of `reader` and its line number.
    fn rows(
        &self,
        reader: &mut csv::Reader<std::fs::File>,
        mut each: impl FnMut(&csv::StringRecord, u64) -> Result<()>,
    ) -> Result<()> {
        let mut record = csv::StringRecord::new();
        loop {
            let more = reader.read_record(&mut record).map_err(|e| {
                let line = e.position().map(|p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("{len} fields where the header has {expected_len}"),
                    _ => e.to_string(),
                };
                results_error(&self.path, line, message)
            })?;
            if !more {
                return Ok(());
            }
            let line = record.position().map_or(0, |p| p.line());
            each(&record, line)?;
        }
    }

    /// Field `col` of `record` as a number.
    fn number<T: std::str::FromStr>(
        &self,
        record: &csv::StringRecord,
        line: u64,
        col: usize,
    ) -> Result<T> {
        let text = record.get(col).unwrap_or("");
        text.trim().parse().map_err(|_| {
            results_error(
                &self.path,
                Some(line),
                format!("column `{}`: `{text}` is not a number", self.header[col]),
            )
        })
    }

    /// An error on `line` of this file.
    fn error(&self, line: u64, message: String) -> Error {
        results_error(&self.path, Some(line), message)
    }
}

/// Reads the results folder `dir`.
pub fn load(dir: &Path) -> Result<Results> {
    if !dir.is_dir() {
        return Err(results_error(dir, None, "not a folder"));
    }
    let daily_path = dir.join("daily.csv");
    if !daily_path.is_file() {
        return Err(results_error(
            &daily_path,
            None,
            "not found: this is not a commsim results folder (commsim run writes one)",
        ));
    }
    let (run_ids, daily, causes) = read_daily(daily_path)?;
    let bands_path = dir.join("bands.csv");
    let bands = if bands_path.is_file() {
        read_bands(bands_path, daily.first().map_or(0, Vec::len))?
    } else {
        bands_from_daily(&daily)
    };
    let referrals_path = dir.join("referrals.csv");
    let referrals = if referrals_path.is_file() {
        Some(read_referrals(referrals_path, &run_ids)?)
    } else {
        None
    };
    let days = daily.first().map_or(0, |d| d.len().saturating_sub(1)) as u32;
    let marks = strategy_days(dir)
        .into_iter()
        .filter(|&(d, _)| d <= days)
        .collect();
    Ok(Results {
        marks,
        name: scenario_name(dir)?,
        run_ids,
        daily,
        causes,
        bands,
        referrals,
    })
}

/// Run ids, each run's days, and the cause names.
type Daily = (Vec<u64>, Vec<Vec<Day>>, Vec<String>);

/// Columns of daily.csv read into [`Day`], in its field order.
const DAY_COLUMNS: [&str; 9] = [
    "members",
    "active",
    "silent",
    "muted",
    "joined",
    "referral_joins",
    "channel_joins",
    "revenue",
    "cost",
];

fn read_daily(path: PathBuf) -> Result<Daily> {
    let (t, mut reader) = Table::open(path)?;
    let (run, day) = (t.column("run")?, t.column("day")?);
    let mut cols = [0usize; DAY_COLUMNS.len()];
    for (c, name) in cols.iter_mut().zip(DAY_COLUMNS) {
        *c = t.column(name)?;
    }
    let cause_cols: Vec<(usize, String)> = t
        .header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_prefix("left_").map(|c| (i, c.to_string())))
        .collect();
    let mut runs: Vec<(u64, Vec<Day>)> = Vec::new();
    t.rows(&mut reader, |rec, line| {
        let r: u64 = t.number(rec, line, run)?;
        let d: u64 = t.number(rec, line, day)?;
        let mut v = [0.0f64; DAY_COLUMNS.len()];
        for (x, &c) in v.iter_mut().zip(&cols) {
            *x = t.number(rec, line, c)?;
        }
        let row = Day {
            members: v[0],
            active: v[1],
            silent: v[2],
            muted: v[3],
            joined: v[4],
            referral_joins: v[5],
            channel_joins: v[6],
            revenue: v[7],
            cost: v[8],
            left_by_cause: cause_cols
                .iter()
                .map(|&(c, _)| t.number(rec, line, c))
                .collect::<Result<_>>()?,
        };
        // Runs must come in increasing order: one comparison with the last
        // run per row keeps reading linear in the number of rows, and also
        // catches a run that appears again after others.
        match runs.last() {
            Some((last, _)) if *last == r => {}
            Some((last, _)) if *last > r => {
                return Err(t.error(
                    line,
                    format!("run {r} comes after run {last}: rows must be ordered by run (increasing), then day"),
                ));
            }
            _ => runs.push((r, Vec::new())),
        }
        let days = &mut runs.last_mut().expect("pushed above").1;
        if d != days.len() as u64 {
            return Err(t.error(
                line,
                format!(
                    "run {r}: day {d} where day {} was expected (each run lists days 0, 1, 2, … in order)",
                    days.len()
                ),
            ));
        }
        days.push(row);
        Ok(())
    })?;
    if runs.is_empty() {
        return Err(results_error(&t.path, None, "has no rows"));
    }
    let (first, first_days) = (&runs[0].0, runs[0].1.len());
    if let Some((r, d)) = runs.iter().find(|(_, d)| d.len() != first_days) {
        return Err(results_error(
            &t.path,
            None,
            format!(
                "run {r} has {} days but run {first} has {first_days}: every run must cover the same days",
                d.len()
            ),
        ));
    }
    let causes = cause_cols.into_iter().map(|(_, c)| c).collect();
    let (ids, days) = runs.into_iter().unzip();
    Ok((ids, days, causes))
}

fn read_bands(path: PathBuf, days: usize) -> Result<BTreeMap<String, Vec<Band>>> {
    let (t, mut reader) = Table::open(path)?;
    let day = t.column("day")?;
    let metric = t.column("metric")?;
    let mut cols = [0usize; 6];
    for (c, name) in cols
        .iter_mut()
        .zip(["mean", "p5", "p25", "p50", "p75", "p95"])
    {
        *c = t.column(name)?;
    }
    let mut bands: BTreeMap<String, Vec<Band>> = BTreeMap::new();
    t.rows(&mut reader, |rec, line| {
        let name = rec.get(metric).unwrap_or("");
        if !LIFECYCLE_METRICS.contains(&name) {
            // The charts draw only some metrics; others need not parse.
            return Ok(());
        }
        let d: u64 = t.number(rec, line, day)?;
        let mut v = [0.0f64; 6];
        for (x, &c) in v.iter_mut().zip(&cols) {
            *x = t.number(rec, line, c)?;
        }
        let series = bands.entry(name.to_string()).or_default();
        if d != series.len() as u64 {
            return Err(t.error(
                line,
                format!(
                    "metric `{name}`: day {d} where day {} was expected (rows are ordered by day)",
                    series.len()
                ),
            ));
        }
        series.push(Band {
            mean: v[0],
            p5: v[1],
            p25: v[2],
            p50: v[3],
            p75: v[4],
            p95: v[5],
        });
        Ok(())
    })?;
    for name in LIFECYCLE_METRICS {
        let have = bands.get(name).map_or(0, Vec::len);
        if have != days {
            return Err(results_error(
                &t.path,
                None,
                format!("metric `{name}` has {have} days where daily.csv has {days}"),
            ));
        }
    }
    Ok(bands)
}

/// The bands bands.csv would hold, for a folder without it.
fn bands_from_daily(daily: &[Vec<Day>]) -> BTreeMap<String, Vec<Band>> {
    type Get = fn(&Day) -> f64;
    let metrics: [(&str, Get); 4] = [
        ("members", |d| d.members),
        ("active", |d| d.active),
        ("silent", |d| d.silent),
        ("muted", |d| d.muted),
    ];
    let days = daily.first().map_or(0, Vec::len);
    let mut values = Vec::with_capacity(daily.len());
    metrics
        .iter()
        .map(|&(name, get)| {
            let series = (0..days)
                .map(|d| {
                    values.clear();
                    values.extend(daily.iter().map(|run| get(&run[d])));
                    Band::of(&mut values)
                })
                .collect();
            (name.to_string(), series)
        })
        .collect()
}

fn read_referrals(path: PathBuf, daily_runs: &[u64]) -> Result<Vec<Vec<Referral>>> {
    let (t, mut reader) = Table::open(path)?;
    let cols = ["run", "day", "inviter", "invitee", "generation"].map(|c| t.column(c));
    let [run, day, inviter, invitee, generation] = match cols {
        [Ok(a), Ok(b), Ok(c), Ok(d), Ok(e)] => [a, b, c, d, e],
        _ => return Err(cols.into_iter().find_map(Result::err).expect("one failed")),
    };
    let index: BTreeMap<u64, usize> = daily_runs
        .iter()
        .enumerate()
        .map(|(i, &r)| (r, i))
        .collect();
    let mut out = vec![Vec::new(); daily_runs.len()];
    t.rows(&mut reader, |rec, line| {
        let r: u64 = t.number(rec, line, run)?;
        let Some(&i) = index.get(&r) else {
            return Err(t.error(line, format!("run {r} is not in daily.csv")));
        };
        out[i].push(Referral {
            day: t.number(rec, line, day)?,
            inviter: t.number(rec, line, inviter)?,
            invitee: t.number(rec, line, invitee)?,
            generation: t.number(rec, line, generation)?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// The strategy days of the folder's scenario.toml. A file this version
/// cannot read as a scenario (or none) has no marks; the charts are drawn
/// without them.
fn strategy_days(dir: &Path) -> Vec<(u32, super::marks::Mark)> {
    std::fs::read_to_string(dir.join("scenario.toml"))
        .ok()
        .and_then(|t| toml::from_str::<crate::scenario::ScenarioFile>(&t).ok())
        .map(|s| super::marks::strategy_days(&s))
        .unwrap_or_default()
}

/// The scenario's name, for titles: scenario.toml's `name`, else
/// meta.json's `scenario`, else the folder's own name. A scenario.toml that
/// cannot be read (damaged, not UTF-8, not TOML, no name) is passed over for
/// meta.json, as docs/cli.md says: only the name is read from it.
fn scenario_name(dir: &Path) -> Result<String> {
    let toml_path = dir.join("scenario.toml");
    let from_toml = std::fs::read_to_string(&toml_path)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .and_then(|table| table.get("name")?.as_str().map(str::to_string));
    if let Some(name) = from_toml {
        return Ok(name);
    }
    let meta_path = dir.join("meta.json");
    if meta_path.is_file() {
        let text = std::fs::read_to_string(&meta_path).map_err(|e| Error::io(&meta_path, e))?;
        let meta: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            results_error(
                &meta_path,
                Some(e.line() as u64),
                format!("not valid JSON: {e}"),
            )
        })?;
        if let Some(name) = meta.get("scenario").and_then(|v| v.as_str()) {
            return Ok(name.to_string());
        }
    }
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    Ok(canonical.file_name().map_or_else(
        || "results".to_string(),
        |n| n.to_string_lossy().into_owned(),
    ))
}
