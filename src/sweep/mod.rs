//! Parameter sweeps: many scenarios made from one base scenario by varying
//! fields, run point by point, resumable, and shardable across machines.
//!
//! - [`plan`]: the sweep file and the plan (every point's values), checked
//!   before anything runs; [`path`]: field paths into a scenario;
//!   [`design`]: grids, lists, Latin hypercubes, Saltelli and Morris designs.
//! - [`store`]: the folder layout, atomic files, point files, manifests and
//!   the assembly of points.csv, results.csv and summary.csv.
//! - [`heatmap`]: the chart of a metric over two grid parameters.
//!
//! A point's results depend only on (plan, point index): point p's scenario
//! seed is [`crate::rng::point_seed`]`(sweep seed, p)` and its runs use the
//! engine's usual run keys. Shards, threads and the order in which points are
//! computed therefore cannot change a byte of the results, and assembling the
//! same point files always gives the same files.

pub mod design;
pub mod heatmap;
pub mod metric;
pub mod path;
pub mod plan;
pub mod store;

use std::collections::BTreeMap;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use crate::batch::{self, BatchOptions, Progress};
use crate::error::{Error, Result};
use crate::output::fmt6;
use crate::sensitivity;
use plan::{DesignKind, Plan, Sweep};
use store::{Manifest, PointMeans};

/// Which part of a sweep's points a process runs: shard `index` of `count`
/// takes points index, index + count, index + 2·count, ... Interleaving
/// spreads the costly corners of a grid or design over all shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    pub fn contains(&self, point: usize) -> bool {
        point as u64 % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `i/n` with 0 ≤ i < n.
    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let parsed = s.split_once('/').and_then(|(i, n)| {
            Some((i.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?))
        });
        match parsed {
            Some((index, count)) if count >= 1 && index < count => Ok(Shard { index, count }),
            Some((index, count)) => Err(format!(
                "shard {index}/{count} does not exist: shards are numbered 0 to n − 1 (e.g. 0/4 to 3/4)"
            )),
            None => Err(format!(
                "`{s}` is not a shard: write i/n, e.g. 2/8 for the third of eight shards"
            )),
        }
    }
}

/// Options of `commsim sweep`.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub file: PathBuf,
    pub out: Option<PathBuf>,
    pub threads: usize,
    pub shard: Shard,
    pub resume: bool,
    pub quiet: bool,
}

/// `commsim sweep`: runs the points of one shard (all by default) into the
/// sweep folder and, when the sweep is not sharded, assembles the results.
pub fn run(opts: &SweepOptions, out: &mut impl Write) -> Result<PathBuf> {
    crate::app::threads(Some(opts.threads))?;
    let started = Instant::now();
    let sweep = Sweep::load(&opts.file)?;
    let plan = &sweep.plan;
    let dir = opts.out.clone().unwrap_or_else(|| {
        let stem = opts
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sweep".into());
        Path::new("outputs").join(stem)
    });
    let shard = opts.shard;
    let mine: Vec<usize> = (0..plan.len()).filter(|&p| shard.contains(p)).collect();
    let done = open_folder(&dir, plan, &mine, opts.resume)?;
    let pending: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|p| !done.contains_key(p))
        .collect();

    let points_dir = dir.join(store::POINTS_DIR);
    store::remove_stale_temporaries(&points_dir, |name| {
        name.strip_suffix(".csv")
            .and_then(|s| s.parse::<usize>().ok())
            .is_some_and(|p| shard.contains(p))
    })?;
    let manifest_name = format!("shard-{}-of-{}.json", shard.index, shard.count);
    store::remove_stale_temporaries(&dir.join(store::SHARDS_DIR), |n| n == manifest_name)?;
    let mut manifest = Manifest {
        commsim_version: env!("CARGO_PKG_VERSION").to_string(),
        plan_hash: plan.plan_hash.clone(),
        shard: shard.index,
        shards: shard.count,
        points: mine.len() as u64,
        completed: (mine.len() - pending.len()) as u64,
        status: "running".into(),
        threads: opts.threads,
        wall_seconds: 0.0,
    };
    store::write_manifest(&dir, &manifest)?;

    let progress = Progress::new(
        pending.len(),
        !opts.quiet && std::io::stderr().is_terminal(),
        "points",
    );
    let runs_started = Instant::now();
    for &p in &pending {
        let scenario = sweep.point_scenario(p)?;
        let (scenario, graph) = batch::prepare(scenario, opts.threads)?;
        let batch = batch::run_batch(
            scenario,
            graph,
            BatchOptions {
                threads: opts.threads,
                progress: false,
            },
        )?;
        let point_file = points_dir.join(store::point_file_name(p, plan.len()));
        if plan.daily_bands {
            // Written before the point file, so a point file that exists
            // always has its bands.
            let bands = store::point_bands_path(&point_file);
            let folder = bands.parent().expect("a file in a folder");
            fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
            store::remove_stale_temporaries(folder, |n| n == "bands.csv")?;
            store::write_atomic(&bands, &crate::output::bands_csv(&batch))?;
        }
        let bytes = store::point_csv(plan, p, &batch.runs);
        drop(batch);
        store::write_atomic(&point_file, &bytes)?;
        progress.tick();
    }
    progress.finish();
    let wall = runs_started.elapsed().as_secs_f64();
    manifest.completed = mine.len() as u64;
    manifest.status = "complete".into();
    manifest.wall_seconds = (wall * 1000.0).round() / 1000.0;
    store::write_manifest(&dir, &manifest)?;

    let report = |out: &mut dyn Write| -> std::io::Result<()> {
        let what = format!(
            "{} design over {}",
            plan.design.name(),
            plan.param_paths().join(", ")
        );
        if shard.count == 1 {
            writeln!(
                out,
                "sweep: {} points of {} run{} ({what})",
                plan.len(),
                plan.runs,
                if plan.runs == 1 { "" } else { "s" }
            )?;
        } else {
            writeln!(
                out,
                "sweep shard {}/{}: {} of {} points of {} run{} ({what})",
                shard.index,
                shard.count,
                mine.len(),
                plan.len(),
                plan.runs,
                if plan.runs == 1 { "" } else { "s" }
            )?;
        }
        writeln!(
            out,
            "ran {} point{} in {:.1} s on {} thread{}{}",
            pending.len(),
            if pending.len() == 1 { "" } else { "s" },
            wall,
            opts.threads,
            if opts.threads == 1 { "" } else { "s" },
            if done.is_empty() {
                String::new()
            } else {
                format!(" ({} already complete)", done.len())
            }
        )
    };
    if shard.count == 1 {
        let files = store::list_points(&dir)?;
        finish(&dir, plan, &files)?;
        if !opts.quiet {
            report(out).map_err(|e| Error::io("stdout", e))?;
            writeln!(
                out,
                "results in {} (total {:.1} s)",
                dir.display(),
                started.elapsed().as_secs_f64()
            )
            .map_err(|e| Error::io("stdout", e))?;
        }
    } else if !opts.quiet {
        report(out).map_err(|e| Error::io("stdout", e))?;
        writeln!(
            out,
            "point files in {}; when every shard is done: commsim merge {}",
            points_dir.display(),
            dir.display()
        )
        .map_err(|e| Error::io("stdout", e))?;
    }
    Ok(dir)
}

/// Prepares the sweep folder and returns the finished point files of this
/// shard. A new or empty folder gets plan.json. A folder of the same plan is
/// continued: with `resume`, finished points are kept and skipped; without
/// it, finding any of this shard's points finished is an error (so that a
/// rerun is a decision, not an accident), while other shards' points are
/// expected. Anything else is refused before any work is done.
fn open_folder(
    dir: &Path,
    plan: &Plan,
    mine: &[usize],
    resume: bool,
) -> Result<BTreeMap<usize, PathBuf>> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "output path {} exists and is not a folder",
            dir.display()
        )));
    }
    let another = |existing: &Plan| {
        Error::Usage(format!(
            "{} holds another sweep (plan {}, commsim {}) than this one (plan {}, commsim {}): the sweep file, its base scenario or the commsim version changed; choose another folder with --out",
            dir.display(),
            existing.plan_hash,
            existing.commsim_version,
            plan.plan_hash,
            plan.commsim_version
        ))
    };
    match store::read_plan(dir)? {
        Some(existing) if existing.plan_hash != plan.plan_hash => return Err(another(&existing)),
        Some(_) => {}
        None => {
            if !store::is_starting_sweep_folder(dir)? {
                return Err(Error::Usage(format!(
                    "output folder {} is not empty and holds no sweep (no {}); choose another folder with --out",
                    dir.display(),
                    store::PLAN_FILE
                )));
            }
        }
    }
    let all = store::list_points(dir)?;
    let done: BTreeMap<usize, PathBuf> = all
        .into_iter()
        .filter(|(p, _)| mine.binary_search(p).is_ok())
        .collect();
    if !resume && !done.is_empty() {
        let list: Vec<usize> = done.keys().copied().collect();
        return Err(Error::Usage(format!(
            "{} already holds {} of these points ({}); pass --resume to keep them and run the rest, or choose another folder with --out",
            dir.display(),
            done.len(),
            store::array_syntax(&list)
        )));
    }
    // The plan first, so that a folder with point files always has one.
    // Shards sharing a folder write the same bytes here, each atomically, so
    // it does not matter which one is last.
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let plan_path = dir.join(store::PLAN_FILE);
    if !plan_path.exists() {
        store::write_atomic(&plan_path, plan.to_json().as_bytes())?;
    }
    // Another process may have written plan.json since it was first looked
    // for: make sure the folder holds this plan before adding to it.
    match store::read_plan(dir)? {
        Some(existing) if existing.plan_hash != plan.plan_hash => return Err(another(&existing)),
        _ => {}
    }
    for sub in [store::POINTS_DIR, store::SHARDS_DIR] {
        let path = dir.join(sub);
        fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
    }
    // A point file that exists was renamed into place complete; checking it
    // again costs little and catches files damaged since.
    let mut checked = BTreeMap::new();
    for (p, path) in done {
        store::read_point_file(&path, p, plan)?;
        if plan.daily_bands {
            store::read_point_bands(&path)?;
        }
        checked.insert(p, path);
    }
    Ok(checked)
}

/// Assembles every result file of a complete sweep into `dir`.
fn finish(dir: &Path, plan: &Plan, files: &BTreeMap<usize, PathBuf>) -> Result<()> {
    let means = store::assemble(dir, plan, files)?;
    if plan.design.has_sensitivity() {
        let metrics: Vec<&str> = plan.metrics.iter().map(String::as_str).collect();
        let (table, warnings) = sensitivity_table(plan, &means, &metrics)?;
        store::write_atomic(&dir.join("sensitivity.csv"), table.as_bytes())?;
        warn(&warnings);
    }
    if let Some(spec) = &plan.heatmap {
        heatmap::write(dir, plan, spec, &means)?;
    }
    Ok(())
}

/// Prints warnings on stderr, even with `--quiet`: they are about the
/// results, not progress.
fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("{w}");
    }
}

/// sensitivity.csv's text for the chosen metrics, and a warning for each
/// Sobol index whose interval is wider than
/// [`sensitivity::MAX_INTERVAL_WIDTH`].
fn sensitivity_table(
    plan: &Plan,
    means: &[PointMeans],
    metrics: &[&str],
) -> Result<(String, Vec<String>)> {
    let all = plan.all_metrics();
    let k = plan.params.len();
    let unit: Vec<Vec<f64>> = plan
        .points
        .iter()
        .map(|p| p.unit.clone().unwrap_or_default())
        .collect();
    let bad = |message: String| Error::Scenario {
        path: PathBuf::from(store::PLAN_FILE),
        message,
    };
    let mut out = String::new();
    let mut warnings = Vec::new();
    match plan.design {
        DesignKind::Saltelli => {
            out.push_str("metric,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high\n")
        }
        DesignKind::Morris => out.push_str("metric,parameter,mu,mu_star,sigma\n"),
        other => {
            return Err(Error::Usage(format!(
                "sensitivity indices need a saltelli or morris design; this sweep is a {} design",
                other.name()
            )))
        }
    }
    for &metric in metrics {
        let m = all.iter().position(|a| a == metric).ok_or_else(|| {
            Error::Usage(format!(
                "unknown metric `{metric}`; the metrics are runs.csv's columns: {}",
                all.join(", ")
            ))
        })?;
        let y: Vec<f64> = means.iter().map(|row| row[m]).collect();
        if plan.design == DesignKind::Saltelli {
            let idx = sensitivity::sobol(
                k,
                &y,
                sensitivity::BOOTSTRAP_RESAMPLES,
                sensitivity::BOOTSTRAP_SEED,
            )
            .map_err(bad)?;
            let names: Vec<&str> = plan.params.iter().map(|p| p.path.as_str()).collect();
            let n = y.len() / (k + 2);
            warnings.extend(sensitivity::width_warnings(metric, &names, &idx, n));
            for (param, i) in plan.params.iter().zip(idx) {
                out.push_str(&format!(
                    "{metric},{},{},{},{},{},{},{}\n",
                    param.path,
                    fmt6(i.s1),
                    fmt6(i.s1_low),
                    fmt6(i.s1_high),
                    fmt6(i.st),
                    fmt6(i.st_low),
                    fmt6(i.st_high)
                ));
            }
        } else {
            let idx = sensitivity::morris(k, &unit, &y).map_err(bad)?;
            for (param, i) in plan.params.iter().zip(idx) {
                out.push_str(&format!(
                    "{metric},{},{},{},{}\n",
                    param.path,
                    fmt6(i.mu),
                    fmt6(i.mu_star),
                    fmt6(i.sigma)
                ));
            }
        }
    }
    Ok((out, warnings))
}

/// Options of `commsim merge`.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    pub dirs: Vec<PathBuf>,
    pub out: Option<PathBuf>,
    pub quiet: bool,
}

/// `commsim merge`: checks that the folders hold one sweep, lists missing and
/// duplicate points, and assembles the results from the point files.
pub fn merge(opts: &MergeOptions, out: &mut impl Write) -> Result<PathBuf> {
    let Some(first) = opts.dirs.first() else {
        return Err(Error::Usage("name at least one sweep folder".into()));
    };
    let target = match (&opts.out, opts.dirs.len()) {
        (Some(o), _) => o.clone(),
        (None, 1) => first.clone(),
        (None, _) => {
            return Err(Error::Usage(
                "merging several folders needs --out: the folder for the merged results".into(),
            ))
        }
    };
    if opts.out.is_some() && target.exists() && !target.is_dir() {
        return Err(Error::Usage(format!(
            "output path {} exists and is not a folder: merge writes a sweep folder; choose another --out",
            target.display()
        )));
    }
    let version = env!("CARGO_PKG_VERSION");
    let mut plan: Option<(PathBuf, Plan)> = None;
    // Every point file found, by point, with the folder it is in.
    let mut found: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
    let mut shard_counts: Vec<u64> = Vec::new();
    for dir in &opts.dirs {
        let Some(p) = store::read_plan(dir)? else {
            return Err(Error::Usage(format!(
                "{} is not a sweep folder: it has no {}",
                dir.display(),
                store::PLAN_FILE
            )));
        };
        if let Some((d0, p0)) = &plan {
            if p0.plan_hash != p.plan_hash {
                return Err(Error::Usage(format!(
                    "the folders hold different sweeps: {} has plan {} (commsim {}), {} has plan {} (commsim {})",
                    d0.display(),
                    p0.plan_hash,
                    p0.commsim_version,
                    dir.display(),
                    p.plan_hash,
                    p.commsim_version
                )));
            }
        }
        for (path, m) in store::read_manifests(dir)? {
            if m.plan_hash != p.plan_hash || m.commsim_version != p.commsim_version {
                return Err(Error::Usage(format!(
                    "{} was written for plan {} by commsim {}, but {} holds plan {} of commsim {}: shards of different sweeps or versions cannot be merged",
                    path.display(),
                    m.plan_hash,
                    m.commsim_version,
                    dir.display(),
                    p.plan_hash,
                    p.commsim_version
                )));
            }
            if !shard_counts.contains(&m.shards) {
                shard_counts.push(m.shards);
            }
        }
        for (point, path) in store::list_points(dir)? {
            if point >= p.len() {
                return Err(Error::Usage(format!(
                    "{} is point {point}, but the plan has points 0 to {}",
                    path.display(),
                    p.len() - 1
                )));
            }
            found.entry(point).or_default().push(path);
        }
        if plan.is_none() {
            plan = Some((dir.clone(), p));
        }
    }
    let (_, plan) = plan.expect("at least one folder");
    if plan.commsim_version != version {
        return Err(Error::Usage(format!(
            "the sweep was run by commsim {}, this is commsim {version}: merge with the version that ran it, so that summaries are computed the same way",
            plan.commsim_version
        )));
    }

    let mut duplicates = Vec::new();
    for (&p, paths) in &found {
        if paths.len() > 1 {
            let read = |path: &PathBuf| -> Result<Vec<u8>> {
                let mut bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
                if plan.daily_bands {
                    bytes.extend(store::read_point_bands(path)?.into_bytes());
                }
                Ok(bytes)
            };
            let first = read(&paths[0])?;
            for other in &paths[1..] {
                let bytes = read(other)?;
                if bytes != first {
                    return Err(Error::Usage(format!(
                        "point {p} differs between {} and {}; results are deterministic, so one of them was damaged or changed: delete the wrong one",
                        paths[0].display(),
                        other.display()
                    )));
                }
            }
            duplicates.push(p);
        }
    }
    let missing: Vec<usize> = (0..plan.len()).filter(|p| !found.contains_key(p)).collect();
    let mut say = |line: String| -> Result<()> {
        if opts.quiet {
            Ok(())
        } else {
            writeln!(out, "{line}").map_err(|e| Error::io("stdout", e))
        }
    };
    say(format!(
        "plan {}: {} points of {} runs ({} design); {} complete in {} folder{}",
        plan.plan_hash,
        plan.len(),
        plan.runs,
        plan.design.name(),
        found.len(),
        opts.dirs.len(),
        if opts.dirs.len() == 1 { "" } else { "s" }
    ))?;
    if !duplicates.is_empty() {
        say(format!(
            "duplicate points (identical copies; one is used): {}",
            store::array_syntax(&duplicates)
        ))?;
    }
    if !missing.is_empty() {
        let shards = match shard_counts[..] {
            [n] => {
                let mut s: Vec<usize> = missing.iter().map(|&p| p % n as usize).collect();
                s.sort_unstable();
                s.dedup();
                format!(
                    "; they belong to shards {} of {n}: rerun them with sbatch --array={} --export=ALL,COMMSIM_SHARDS={n},... deploy/slurm/sweep-array.sbatch, or commsim sweep --shard i/{n} --resume",
                    store::array_syntax(&s),
                    store::array_syntax(&s)
                )
            }
            _ => String::new(),
        };
        return Err(Error::Usage(format!(
            "{} of {} points are missing: {}{shards}; nothing was written",
            missing.len(),
            plan.len(),
            store::array_syntax(&missing)
        )));
    }

    if !opts.dirs.contains(&target) {
        match store::read_plan(&target)? {
            Some(p) if p.plan_hash != plan.plan_hash => {
                return Err(Error::Usage(format!(
                    "{} holds another sweep (plan {}); choose another folder with --out",
                    target.display(),
                    p.plan_hash
                )))
            }
            Some(_) => {}
            None => {
                if target.exists()
                    && fs::read_dir(&target)
                        .map_err(|e| Error::io(&target, e))?
                        .next()
                        .is_some()
                {
                    return Err(Error::Usage(format!(
                        "output folder {} is not empty and holds no sweep; choose another folder with --out",
                        target.display()
                    )));
                }
                fs::create_dir_all(&target).map_err(|e| Error::io(&target, e))?;
                store::write_atomic(&target.join(store::PLAN_FILE), plan.to_json().as_bytes())?;
            }
        }
    }
    let files: BTreeMap<usize, PathBuf> = found
        .into_iter()
        .map(|(p, mut paths)| (p, paths.swap_remove(0)))
        .collect();
    finish(&target, &plan, &files)?;
    say(format!("results in {}", target.display()))?;
    Ok(target)
}

/// Options of `commsim sensitivity`.
#[derive(Debug, Clone)]
pub struct SensitivityOptions {
    pub dir: PathBuf,
    /// Metrics to analyse; empty for the sweep file's `metrics`.
    pub metrics: Vec<String>,
    pub quiet: bool,
}

/// `commsim sensitivity`: (re)computes sensitivity.csv of a finished
/// saltelli or morris sweep, for the chosen metrics, and prints it.
pub fn sensitivity(opts: &SensitivityOptions, out: &mut impl Write) -> Result<PathBuf> {
    let Some(plan) = store::read_plan(&opts.dir)? else {
        return Err(Error::Usage(format!(
            "{} is not a sweep folder: it has no {}",
            opts.dir.display(),
            store::PLAN_FILE
        )));
    };
    if !plan.design.has_sensitivity() {
        return Err(Error::Usage(format!(
            "sensitivity indices need a saltelli or morris design; {} holds a {} design (see summary.csv)",
            opts.dir.display(),
            plan.design.name()
        )));
    }
    let metrics: Vec<&str> = if opts.metrics.is_empty() {
        plan.metrics.iter().map(String::as_str).collect()
    } else {
        opts.metrics.iter().map(String::as_str).collect()
    };
    for m in &metrics {
        plan::check_metric_name(m, plan.fewest_days()).map_err(Error::Usage)?;
    }
    let kept = plan.all_metrics();
    if let Some(bad) = metrics.iter().find(|m| !kept.iter().any(|k| k == *m)) {
        let daily: Vec<String> = plan.daily_metrics().into_iter().map(|m| m.name).collect();
        return Err(Error::Usage(format!(
            "metric `{bad}` was not kept by this sweep: a daily metric's values are kept only when the sweep file names it in `metrics` or [heatmap] (this sweep kept {}); add it there and run the sweep again",
            if daily.is_empty() { "none".to_string() } else { daily.join(", ") }
        )));
    }
    let means = store::means_from_results(&opts.dir.join("results.csv"), &plan)?;
    let (table, warnings) = sensitivity_table(&plan, &means, &metrics)?;
    // The sweep's own metrics go to sensitivity.csv (as merge writes it);
    // chosen metrics to a file of their own, so they never overwrite it or
    // each other: `--metric a --metric b` writes sensitivity-a+b.csv.
    let path = if opts.metrics.is_empty() {
        opts.dir.join("sensitivity.csv")
    } else {
        opts.dir
            .join(format!("sensitivity-{}.csv", opts.metrics.join("+")))
    };
    store::write_atomic(&path, table.as_bytes())?;
    if !opts.quiet {
        print_table(&table, out).map_err(|e| Error::io("stdout", e))?;
        writeln!(out, "written to {}", path.display()).map_err(|e| Error::io("stdout", e))?;
    }
    warn(&warnings);
    Ok(path)
}

/// Prints a CSV table with aligned columns.
fn print_table(csv_text: &str, out: &mut impl Write) -> std::io::Result<()> {
    let rows: Vec<Vec<&str>> = csv_text.lines().map(|l| l.split(',').collect()).collect();
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, s)| {
                if c < 2 {
                    format!("{s:<w$}", w = widths[c])
                } else {
                    format!("{s:>w$}", w = widths[c])
                }
            })
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_partition_points() {
        let s: Shard = "1/4".parse().unwrap();
        assert_eq!(s, Shard { index: 1, count: 4 });
        assert!("4/4".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().unwrap_err().contains("i/n"));
        for p in 0..20 {
            let owners = (0..4)
                .filter(|&i| Shard { index: i, count: 4 }.contains(p))
                .count();
            assert_eq!(owners, 1);
        }
    }
}
