//! A sweep's folder on disk: the plan, one file per finished point, shard
//! manifests, and the assembled results.
//!
//! ```text
//! DIR/plan.json                    the plan (written once, atomically)
//! DIR/points/000042.csv            point 42's rows of results.csv
//! DIR/points/000042/bands.csv      its daily bands ([output] daily = true)
//! DIR/shards/shard-1-of-4.json     what shard 1 of 4 did (its manifest)
//! DIR/points.csv, results.csv, summary.csv, [sensitivity.csv, heatmap.*,
//!     bands.csv]
//! ```
//!
//! Every file is written under a hidden temporary name in its final folder
//! and renamed into place when complete, so a process killed at any moment
//! (even `kill -9`) leaves each file either complete or absent: a point file
//! that exists is a finished point. This is what makes `--resume` and
//! sharding safe. Several shards may write into one folder at the same time
//! (on a shared file system); they write distinct point files and identical
//! plans.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::metric::DailyMetric;
use super::plan::{is_share, value_cell, Plan};
use crate::error::{Error, Result};
use crate::model::RunOutput;
use crate::output::{self, fmt6};
use crate::stats::{mean_sd, student_t_quantile, wilson};

pub const PLAN_FILE: &str = "plan.json";
pub const POINTS_DIR: &str = "points";
pub const SHARDS_DIR: &str = "shards";

/// Files assembled from the point files (some only for some designs).
pub const ASSEMBLED_FILES: [&str; 7] = [
    "points.csv",
    "bands.csv",
    "results.csv",
    "summary.csv",
    "sensitivity.csv",
    "heatmap.svg",
    "heatmap.png",
];

/// Marks temporary files: `.<name>.tmp-<pid>-<n>`.
const TMP_MARK: &str = ".tmp-";

/// A file being written under a temporary name beside its final path. It
/// becomes visible under the final name only through [`AtomicFile::commit`];
/// dropped uncommitted (an error), the temporary file is removed.
pub struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    file: Option<std::io::BufWriter<fs::File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(
            ".{name}{TMP_MARK}{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(AtomicFile {
            tmp,
            path: path.to_path_buf(),
            file: Some(std::io::BufWriter::new(file)),
        })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let f = self.file.as_mut().expect("not committed");
        f.write_all(bytes).map_err(|e| Error::io(&self.tmp, e))
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let f = self.file.take().expect("committed once");
        let file = f
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        drop(file);
        fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Removes temporary files in `dir` whose final name satisfies `ours`: left
/// by a process killed while writing. Only files this process would write
/// itself are removed, so that shards sharing a folder never remove each
/// other's files in progress.
pub fn remove_stale_temporaries(dir: &Path, ours: impl Fn(&str) -> bool) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(rest) = name.strip_prefix('.') {
            if let Some(i) = rest.find(TMP_MARK) {
                if ours(&rest[..i]) {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }
    Ok(())
}

/// The header of results.csv and of every point file: `point`, runs.csv's
/// columns, then the plan's daily metrics (`active@30`).
pub fn results_header(plan: &Plan) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(output::runs_header().iter().map(|c| c.to_string()));
    h.extend(plan.daily_metrics().into_iter().map(|m| m.name));
    h
}

/// Where point p's daily bands are kept, beside its point file
/// `points/000042.csv`: `points/000042/bands.csv`.
pub fn point_bands_path(point_file: &Path) -> PathBuf {
    point_file.with_extension("").join("bands.csv")
}

/// File name of point p in a plan of `total` points: zero-padded to at least
/// six digits so that the files sort in point order.
pub fn point_file_name(p: usize, total: usize) -> String {
    let width = total.saturating_sub(1).to_string().len().max(6);
    format!("{p:0width$}.csv")
}

/// Point p's file: its rows of results.csv with the header. The daily
/// metrics' values are read from the runs' days here, so the days need not
/// be kept once the point is written.
pub fn point_csv(plan: &Plan, p: usize, runs: &[RunOutput]) -> Vec<u8> {
    let daily: Vec<DailyMetric> = plan.daily_metrics();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(results_header(plan))
        .expect("writing to memory");
    for run in runs {
        let mut rec = vec![p.to_string()];
        rec.extend(output::runs_record(run));
        rec.extend(daily.iter().map(|m| m.cell(&run.days)));
        w.write_record(&rec).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// The finished point files in `dir/points`, by point index. Temporary and
/// other files are ignored.
pub fn list_points(dir: &Path) -> Result<BTreeMap<usize, PathBuf>> {
    let folder = dir.join(POINTS_DIR);
    let mut out = BTreeMap::new();
    let entries = match fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io(&folder, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&folder, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".csv") {
            if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(p) = stem.parse::<usize>() {
                    out.insert(p, entry.path());
                }
            }
        }
    }
    Ok(out)
}

/// A shard's manifest: shards/shard-I-of-N.json. Written when the shard
/// starts (`running`) and when it has finished all its points (`complete`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub commsim_version: String,
    pub plan_hash: String,
    pub shard: u64,
    pub shards: u64,
    /// Points assigned to this shard.
    pub points: u64,
    /// Of those, points with a finished file when the manifest was written.
    pub completed: u64,
    /// "running" or "complete".
    pub status: String,
    pub threads: usize,
    /// Time spent on this shard's points by the process that wrote this.
    pub wall_seconds: f64,
}

pub fn manifest_path(dir: &Path, shard: u64, shards: u64) -> PathBuf {
    dir.join(SHARDS_DIR)
        .join(format!("shard-{shard}-of-{shards}.json"))
}

pub fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let path = manifest_path(dir, m.shard, m.shards);
    let text = serde_json::to_string_pretty(m).expect("plain JSON") + "\n";
    write_atomic(&path, text.as_bytes())
}

/// Every manifest in `dir/shards`.
pub fn read_manifests(dir: &Path) -> Result<Vec<(PathBuf, Manifest)>> {
    let folder = dir.join(SHARDS_DIR);
    let mut out = Vec::new();
    let entries = match fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io(&folder, e)),
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&folder, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("shard-") && name.ends_with(".json") {
            paths.push(entry.path());
        }
    }
    paths.sort();
    for path in paths {
        let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| Error::Scenario {
            path: path.clone(),
            message: format!("not a commsim shard manifest: {e}"),
        })?;
        out.push((path, m));
    }
    Ok(out)
}

/// Reads plan.json from a sweep folder; None if `dir` is not a folder or
/// has no plan.
pub fn read_plan(dir: &Path) -> Result<Option<Plan>> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let path = dir.join(PLAN_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Plan::from_json(&text, &path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Whether a folder without plan.json may become a sweep folder: it is
/// absent or empty, or another shard sharing it has only just started (its
/// plan.json still under a temporary name, empty `points` and `shards`
/// folders). A folder with anything else, or with finished point files but
/// no plan, is not one.
pub fn is_starting_sweep_folder(dir: &Path) -> Result<bool> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let temporary = name.starts_with('.') && name.contains(TMP_MARK);
        // plan.json may appear between the caller's look for it and this
        // listing; the caller compares it with its own plan afterwards.
        let layout = ((name == POINTS_DIR || name == SHARDS_DIR) && entry.path().is_dir())
            || name == PLAN_FILE;
        if !(temporary || layout) {
            return Ok(false);
        }
    }
    Ok(list_points(dir)?.is_empty())
}

/// Indices as Slurm's `--array` syntax: `0,3,7-9`.
pub fn array_syntax(indices: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let start = indices[i];
        let mut end = start;
        while i + 1 < indices.len() && indices[i + 1] == end + 1 {
            i += 1;
            end = indices[i];
        }
        parts.push(if end == start {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(",")
}

/// Reads one metric cell: a number, `true`/`false` (1/0), or empty (not
/// defined, e.g. `roi` without cost).
fn metric_value(cell: &str) -> Option<std::result::Result<f64, ()>> {
    match cell {
        "" => None,
        "true" => Some(Ok(1.0)),
        "false" => Some(Ok(0.0)),
        s => Some(s.parse::<f64>().map_err(|_| ())),
    }
}

/// The rows of one point, checked: the expected header, `runs` rows for
/// runs 0 to runs − 1 of this point, and readable metrics. Returns each
/// metric's defined values.
fn check_point_rows(
    path: &Path,
    text: &str,
    p: usize,
    plan: &Plan,
    with_header: bool,
) -> Result<Vec<Vec<f64>>> {
    let runs = plan.runs;
    let bad = |message: String| Error::Scenario {
        path: path.to_path_buf(),
        message,
    };
    let header = results_header(plan);
    let metrics = plan.all_metrics();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(with_header)
        .from_reader(text.as_bytes());
    if with_header {
        let h = r
            .headers()
            .map_err(|e| bad(format!("cannot read the header: {e}")))?;
        if h.iter().ne(header.iter().map(String::as_str)) {
            return Err(bad(format!(
                "the header is `{}`, but this commsim writes `{}`: the file was written by another version",
                h.iter().collect::<Vec<_>>().join(","),
                header.join(",")
            )));
        }
    }
    let mut values = vec![Vec::with_capacity(runs as usize); metrics.len()];
    let mut count = 0u32;
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(format!("row {}: {e}", i + 1)))?;
        if rec.len() != header.len() {
            return Err(bad(format!(
                "row {} has {} columns, expected {}",
                i + 1,
                rec.len(),
                header.len()
            )));
        }
        if rec[0] != *p.to_string() || rec[1] != *count.to_string() {
            return Err(bad(format!(
                "row {} is point {} run {}, expected point {p} run {count}",
                i + 1,
                &rec[0],
                &rec[1]
            )));
        }
        // Metric columns follow `point`, `run` and `seed`.
        for (m, cell) in rec.iter().skip(3).enumerate() {
            match metric_value(cell) {
                None => {}
                Some(Ok(v)) => values[m].push(v),
                Some(Err(())) => {
                    return Err(bad(format!(
                        "row {}: `{}` = {cell:?} is not a number",
                        i + 1,
                        metrics[m]
                    )))
                }
            }
        }
        count += 1;
    }
    if count != runs {
        return Err(bad(format!(
            "point {p} has {count} runs, expected {runs}: the file is incomplete"
        )));
    }
    Ok(values)
}

/// Reads and checks a point file; returns its text.
pub fn read_point_file(path: &Path, p: usize, plan: &Plan) -> Result<(String, Vec<Vec<f64>>)> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let values = check_point_rows(path, &text, p, plan, true)?;
    Ok((text, values))
}

/// Reads and checks the bands of the point whose file is `point_file`:
/// bands.csv's header and rows of its columns. Returns the text.
pub fn read_point_bands(point_file: &Path) -> Result<String> {
    let path = point_bands_path(point_file);
    let text = fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Scenario {
                path: path.clone(),
                message: format!(
                    "the sweep keeps daily bands ([output] daily = true), but point file {} has none: the bands were removed; delete the point file and run the sweep again with --resume",
                    point_file.display()
                ),
            }
        } else {
            Error::io(&path, e)
        }
    })?;
    let head = text.split_once('\n').map_or(text.as_str(), |(h, _)| h);
    let expected = output::BANDS_HEADER.join(",");
    let columns = output::BANDS_HEADER.len();
    let bad_row = text
        .lines()
        .skip(1)
        .position(|l| l.split(',').count() != columns);
    if head != expected || bad_row.is_some() || !text.ends_with('\n') {
        return Err(Error::Scenario {
            path,
            message: format!(
                "not a bands file of this commsim: expected the header `{expected}` and rows of {columns} columns{}",
                bad_row.map_or(String::new(), |r| format!(" (row {} is not)", r + 1))
            ),
        });
    }
    Ok(text)
}

/// One point's means of every metric (NaN where no run defines it).
pub type PointMeans = Vec<f64>;

/// Writes points.csv, results.csv and summary.csv into `out` from the point
/// files of every point of the plan, in point order, and returns every
/// point's metric means. Summaries come from the per-run rows.
pub fn assemble(
    out: &Path,
    plan: &Plan,
    files: &BTreeMap<usize, PathBuf>,
) -> Result<Vec<PointMeans>> {
    // Every point is finished, so no process is writing here any more:
    // temporaries left by killed processes can go.
    remove_stale_temporaries(out, |n| n == PLAN_FILE || ASSEMBLED_FILES.contains(&n))?;
    // points.csv: small, written from the plan.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string(), "seed".to_string()];
    header.extend(plan.params.iter().map(|p| p.path.clone()));
    w.write_record(&header).expect("writing to memory");
    for p in 0..plan.len() {
        let mut rec = vec![p.to_string(), plan.point_seed(p).to_string()];
        rec.extend(plan.point_values(p).iter().map(value_cell));
        w.write_record(&rec).expect("writing to memory");
    }
    let points_csv = w.into_inner().expect("memory");

    // results.csv and summary.csv: streamed point by point, so that a sweep
    // of any size needs memory for one point at a time.
    let metrics = plan.all_metrics();
    let mut results = AtomicFile::create(&out.join("results.csv"))?;
    let mut summary = AtomicFile::create(&out.join("summary.csv"))?;
    results.write_all(format!("{}\n", results_header(plan).join(",")).as_bytes())?;
    // bands.csv: every point's bands, after a `point` column.
    let mut bands = if plan.daily_bands {
        let mut f = AtomicFile::create(&out.join("bands.csv"))?;
        f.write_all(format!("point,{}\n", output::BANDS_HEADER.join(",")).as_bytes())?;
        Some(f)
    } else {
        None
    };
    summary.write_all(b"point,metric,n,mean,sd,low,high\n")?;
    let mut means = Vec::with_capacity(plan.len());
    // t quantiles by sample size: computing one takes a few hundred
    // evaluations of the incomplete beta function.
    let mut t_cache: BTreeMap<usize, f64> = BTreeMap::new();
    for p in 0..plan.len() {
        let path = files.get(&p).ok_or_else(|| {
            Error::Usage(format!(
                "point {p} has no file in {}: it was removed while the results were assembled",
                out.join(POINTS_DIR).display()
            ))
        })?;
        let (text, values) = read_point_file(path, p, plan)?;
        let body = text.split_once('\n').map_or("", |(_, b)| b);
        results.write_all(body.as_bytes())?;
        if let Some(f) = bands.as_mut() {
            let text = read_point_bands(path)?;
            let mut rows = String::with_capacity(text.len() * 2);
            for line in text.lines().skip(1) {
                rows.push_str(&format!("{p},{line}\n"));
            }
            f.write_all(rows.as_bytes())?;
        }
        let mut row_means = Vec::with_capacity(metrics.len());
        let mut lines = String::new();
        for (m, v) in metrics.iter().zip(&values) {
            let s = if is_share(m) {
                Summary::share(v)
            } else {
                Summary::with_t(v, |n| {
                    *t_cache
                        .entry(n)
                        .or_insert_with(|| student_t_quantile(0.975, (n - 1) as f64))
                })
            };
            row_means.push(s.mean);
            lines.push_str(&format!(
                "{p},{m},{},{},{},{},{}\n",
                s.n,
                fmt6(s.mean),
                fmt6(s.sd),
                fmt6(s.low),
                fmt6(s.high)
            ));
        }
        summary.write_all(lines.as_bytes())?;
        means.push(row_means);
    }
    // Written only once every point file has been read and checked, so a
    // damaged point file leaves no assembled file behind.
    write_atomic(&out.join("points.csv"), &points_csv)?;
    results.commit()?;
    summary.commit()?;
    if let Some(f) = bands {
        f.commit()?;
    }
    Ok(means)
}

/// Mean and 95% interval of one metric at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub low: f64,
    pub high: f64,
}

impl Summary {
    /// mean ± t(0.975, n − 1) · sd / √n: the 95% confidence interval of the
    /// mean over runs. Undefined (NaN) for n < 2.
    pub fn of(values: &[f64]) -> Summary {
        Summary::with_t(values, |n| student_t_quantile(0.975, (n - 1) as f64))
    }

    /// [`Summary::of`] with the t quantile for n values given by `t`.
    pub fn with_t(values: &[f64], mut t: impl FnMut(usize) -> f64) -> Summary {
        let n = values.len();
        let (mean, sd) = mean_sd(values);
        let half = if n >= 2 {
            t(n) * sd / (n as f64).sqrt()
        } else {
            f64::NAN
        };
        Summary {
            n,
            mean,
            sd,
            low: mean - half,
            high: mean + half,
        }
    }
}

impl Summary {
    /// A share of runs from 1/0 values: the mean is the share k / n and the
    /// interval is Wilson's 95% score interval for k of n, which stays inside
    /// 0 to 1 and is not empty when k is 0 or n (where the t interval would
    /// be 0 to 0). `sd` is the sample standard deviation, as for other
    /// metrics. Undefined (NaN) for n = 0.
    pub fn share(values: &[f64]) -> Summary {
        let n = values.len();
        let (mean, sd) = mean_sd(values);
        let (low, high) = if n == 0 {
            (f64::NAN, f64::NAN)
        } else {
            let k = values.iter().filter(|&&v| v > 0.5).count();
            wilson(k as u64, n as u64)
        };
        Summary {
            n,
            mean,
            sd,
            low,
            high,
        }
    }
}

/// Every point's metric means from an assembled results.csv (for
/// `commsim sensitivity`, which needs no point files).
pub fn means_from_results(path: &Path, plan: &Plan) -> Result<Vec<PointMeans>> {
    let text = fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Usage(format!(
                "{} does not exist: the sweep is not complete; run `commsim merge {}` first",
                path.display(),
                path.parent().unwrap_or(Path::new(".")).display()
            ))
        } else {
            Error::io(path, e)
        }
    })?;
    let bad = |message: String| Error::Scenario {
        path: path.to_path_buf(),
        message,
    };
    let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
    if head != results_header(plan).join(",") {
        return Err(bad(format!(
            "the header is `{head}`, but this commsim writes `{}`",
            results_header(plan).join(",")
        )));
    }
    // Split the body into points by line count: each point has `runs` rows
    // (check_point_rows checks the point and run of every row).
    let lines: Vec<&str> = body.lines().collect();
    let runs = plan.runs as usize;
    if lines.len() != plan.len() * runs {
        return Err(bad(format!(
            "{} rows, but the plan has {} points of {runs} runs",
            lines.len(),
            plan.len()
        )));
    }
    let mut means = Vec::with_capacity(plan.len());
    for p in 0..plan.len() {
        let chunk = lines[p * runs..(p + 1) * runs].join("\n");
        let values = check_point_rows(path, &chunk, p, plan, false)?;
        means.push(values.iter().map(|v| mean_sd(v).0).collect());
    }
    Ok(means)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_syntax_compresses_runs() {
        assert_eq!(array_syntax(&[]), "");
        assert_eq!(array_syntax(&[3]), "3");
        assert_eq!(array_syntax(&[0, 3, 7, 8, 9]), "0,3,7-9");
        assert_eq!(array_syntax(&[1, 2, 4, 5]), "1-2,4-5");
    }

    #[test]
    fn summary_interval_uses_student_t() {
        let s = Summary::of(&[1.0, 2.0, 3.0]);
        // sd = 1, t(0.975, 2) = 4.302653, half-width 4.302653 / sqrt(3).
        assert!((s.high - s.mean - 4.302_652_7 / 3f64.sqrt()).abs() < 1e-6);
        assert_eq!(s.mean, 2.0);
        let one = Summary::of(&[5.0]);
        assert_eq!((one.n, one.mean), (1, 5.0));
        assert!(one.low.is_nan() && one.high.is_nan());
        assert!(Summary::of(&[]).mean.is_nan());
    }

    #[test]
    fn a_share_has_a_wilson_interval_inside_0_and_1() {
        // 3 of 10 true: Wilson's interval is 0.1078 to 0.6032 (by hand:
        // centre (0.3 + 1.96²/20) / (1 + 1.96²/10), half-width 0.2477).
        let mut v = vec![1.0; 3];
        v.extend([0.0; 7]);
        let s = Summary::share(&v);
        assert_eq!((s.n, s.mean), (10, 0.3));
        assert!((s.low - 0.1078).abs() < 5e-4 && (s.high - 0.6032).abs() < 5e-4);
        // None true: the t interval would be 0 to 0; Wilson's is not empty.
        let none = Summary::share(&[0.0; 20]);
        assert_eq!((none.mean, none.low), (0.0, 0.0));
        assert!(none.high > 0.1 && none.high < 0.2, "{}", none.high);
        assert!(Summary::share(&[]).low.is_nan());
    }

    #[test]
    fn bools_and_empty_cells_are_read_as_metrics() {
        assert_eq!(metric_value("true"), Some(Ok(1.0)));
        assert_eq!(metric_value("false"), Some(Ok(0.0)));
        assert_eq!(
            metric_value(""),
            None,
            "funds_out_day when money never ran out"
        );
        assert_eq!(metric_value("17"), Some(Ok(17.0)));
        assert_eq!(metric_value("yes"), Some(Err(())));
    }

    #[test]
    fn share_metrics_are_true_false_columns_of_runs_csv() {
        for m in super::super::plan::SHARE_METRICS {
            assert!(super::super::plan::metric_names().contains(&m), "{m}");
        }
    }

    #[test]
    fn point_file_names_sort_in_point_order() {
        assert_eq!(point_file_name(42, 100), "000042.csv");
        assert_eq!(point_file_name(42, 10_000_000), "0000042.csv");
    }

    #[test]
    fn a_folder_another_shard_is_starting_may_be_shared() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert!(is_starting_sweep_folder(&d.join("absent")).unwrap());
        assert!(is_starting_sweep_folder(d).unwrap());
        fs::create_dir(d.join(POINTS_DIR)).unwrap();
        fs::write(d.join(".plan.json.tmp-12-0"), "{").unwrap();
        assert!(is_starting_sweep_folder(d).unwrap());
        fs::write(d.join(POINTS_DIR).join("000001.csv"), "x").unwrap();
        assert!(
            !is_starting_sweep_folder(d).unwrap(),
            "point files but no plan"
        );
        fs::remove_file(d.join(POINTS_DIR).join("000001.csv")).unwrap();
        fs::write(d.join("notes.txt"), "mine").unwrap();
        assert!(!is_starting_sweep_folder(d).unwrap(), "someone else's file");
    }

    #[test]
    fn atomic_file_is_invisible_until_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"x").unwrap();
        assert!(!path.exists());
        f.commit().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"x");
        let g = AtomicFile::create(&path).unwrap();
        drop(g);
        // Dropped uncommitted: the old file stays, no temporary is left.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
