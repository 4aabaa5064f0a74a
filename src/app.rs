//! The commands behind the CLI, as library functions.
//!
//! `main.rs` parses flags into these option structs and prints errors; these
//! functions do the work and write their report to the given writer, so tests
//! can drive them without a process. The sweep commands (`sweep`, `merge`,
//! `sensitivity`) live in [`crate::sweep`] and are re-exported here.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::batch::{self, BatchOptions};
use crate::error::{Error, Result};
use crate::output;
use crate::scenario::{GraphSpec, Scenario};
use crate::stats::quantile_sorted;

pub use crate::sweep::{
    merge, run as sweep, sensitivity, MergeOptions, SensitivityOptions, Shard, SweepOptions,
};

/// Options of `commsim run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub scenario: Option<PathBuf>,
    pub runs: Option<u32>,
    pub seed: Option<u64>,
    pub threads: Option<usize>,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub quiet: bool,
    /// `--set path=value` overrides, in order (see [`apply_sets`]).
    pub sets: Vec<String>,
}

/// Number of threads when none is asked for.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Most worker threads accepted by `--threads`.
pub const MAX_THREADS: usize = 4096;

/// Checks a `--threads` value (default: all cores), before any thread starts.
pub fn threads(t: Option<usize>) -> Result<usize> {
    match t {
        Some(t) if !(1..=MAX_THREADS).contains(&t) => Err(Error::Usage(format!(
            "--threads {t} is out of range: allowed 1 to {MAX_THREADS} (this machine has {} cores)",
            default_threads()
        ))),
        Some(t) => Ok(t),
        None => Ok(default_threads()),
    }
}

/// Loads the scenario named on the command line, or the built-in default.
pub fn load_scenario(path: Option<&Path>) -> Result<Scenario> {
    match path {
        Some(p) => Scenario::load(p),
        None => Ok(Scenario::builtin_default()),
    }
}

/// Applies `--set path=value` overrides to a scenario: each path is one a
/// sweep could vary (`content.quality`, `channel[0].daily`, see
/// [`crate::sweep::path`]), resolved against the scenario with every default
/// filled in; each value is TOML (`0.5`, `12`, `"contagion"`, `{ days = [30] }`),
/// and a bare word is taken as text. The result is checked like a file, so a
/// bad value is refused naming the flag, before any work.
pub fn apply_sets(scenario: Scenario, sets: &[String]) -> Result<Scenario> {
    use crate::sweep::path::FieldPath;
    if sets.is_empty() {
        return Ok(scenario);
    }
    let usage = |set: &str, why: String| Error::Usage(format!("--set {set}: {why}"));
    let mut resolved = scenario.clone();
    if let Some(n) = resolved.population_size() {
        resolved.set_population_size(n);
    }
    let mut tree = toml::Value::Table(
        toml::from_str(&resolved.to_toml()).expect("a resolved scenario reads back as TOML"),
    );
    for set in sets {
        let Some((path, text)) = set.split_once('=') else {
            return Err(usage(
                set,
                "write PATH=VALUE, e.g. --set content.quality=0.5".into(),
            ));
        };
        let (path, text) = (path.trim(), text.trim());
        let field = FieldPath::parse(path).map_err(|m| usage(set, m))?;
        let existing = field.get(&tree).map_err(|m| usage(set, m))?.clone();
        let value = match toml::from_str::<toml::Table>(&format!("v = {text}")) {
            Ok(mut t) => t.remove("v").expect("parsed a table with `v`"),
            Err(_)
                if !text.is_empty()
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) =>
            {
                toml::Value::String(text.to_string())
            }
            Err(_) => {
                return Err(usage(
                    set,
                    format!("`{text}` is not a TOML value (a number, true/false, \"text\", [list] or {{ table }})"),
                ))
            }
        };
        let value =
            crate::sweep::plan::coerce(path, &existing, &value).map_err(|m| usage(set, m))?;
        field.set(&mut tree, value).map_err(|m| usage(set, m))?;
    }
    let text = toml::to_string(&tree).expect("a TOML tree serialises");
    let source = scenario.source().to_path_buf();
    Scenario::from_toml(&text, &source, Path::new("."), &scenario.spec().name).map_err(
        |e| match e {
            Error::Scenario { message, .. } => Error::Usage(format!(
                "{}: after --set {}: {message}",
                source.display(),
                sets.join(" --set ")
            )),
            other => other,
        },
    )
}

/// `commsim run`: runs a scenario and writes its results.
pub fn run(opts: &RunOptions, out: &mut impl Write) -> Result<PathBuf> {
    let threads = threads(opts.threads)?;
    let scenario = apply_sets(load_scenario(opts.scenario.as_deref())?, &opts.sets)?
        .with_overrides(opts.runs, opts.seed)?;
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join(&scenario.spec().name));
    // Refuse early: before any work is done.
    // The folder stays locked until the results are in place.
    let target = output::claim(&dir, opts.force)?;
    let (scenario, graph) = batch::prepare(scenario, threads)?;
    let progress = !opts.quiet && std::io::stderr().is_terminal();
    let batch = batch::run_batch(scenario, graph, BatchOptions { threads, progress })?;
    output::write_results(target, &batch)?;
    if !opts.quiet {
        headline(&batch, &dir, out).map_err(|e| Error::io("stdout", e))?;
    }
    Ok(dir)
}

/// Median and 90% range of a per-run number.
fn spread(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(|a, b| a.total_cmp(b));
    (
        quantile_sorted(&v, 0.5),
        quantile_sorted(&v, 0.05),
        quantile_sorted(&v, 0.95),
    )
}

fn headline(batch: &batch::Batch, dir: &Path, out: &mut impl Write) -> std::io::Result<()> {
    let spec = batch.scenario.spec();
    let runs = &batch.runs;
    writeln!(
        out,
        "{}: {} run{} of {} days, {} people, in {} on {} thread{}",
        spec.name,
        runs.len(),
        if runs.len() == 1 { "" } else { "s" },
        spec.days,
        batch.nodes,
        duration(batch.wall.as_secs_f64()),
        batch.threads,
        if batch.threads == 1 { "" } else { "s" },
    )?;
    writeln!(out, "results in {}", dir.display())?;
    writeln!(out, "                     median   (5%-95% of runs)")?;
    type Metric = fn(&crate::model::RunSummary) -> f64;
    let rows: [(&str, Metric); 8] = [
        ("peak members", |s| s.peak_members as f64),
        ("day of peak", |s| s.peak_day as f64),
        ("active at end", |s| s.final_active as f64),
        ("lifetime (days)", |s| s.lifetime_days as f64),
        ("referral share", |s| s.referral_share),
        ("money spent", |s| s.cost),
        ("revenue", |s| s.revenue),
        ("hours used", |s| s.hours_used),
    ];
    for (label, get) in rows {
        let (m, lo, hi) = spread(runs.iter().map(|r| get(&r.summary)));
        writeln!(
            out,
            "  {label:<17} {:>8}   ({} - {})",
            num(m),
            num(lo),
            num(hi)
        )?;
    }
    let refused: u64 = runs.iter().map(|r| r.summary.refused_full).sum();
    if refused > 0 {
        // S13: people who would have joined but found every group full are
        // easy to miss; say so.
        writeln!(
            out,
            "  {:.0} people a run on average were turned away because every group was full (groups.capacity, groups.max).",
            refused as f64 / runs.len().max(1) as f64
        )?;
    }
    // Issue 10: one definition of self-sustaining, used everywhere.
    let sustained = runs.iter().filter(|r| r.summary.self_sustaining).count();
    let (lo, hi) = crate::stats::wilson(sustained as u64, runs.len() as u64);
    writeln!(
        out,
        "  self-sustaining: {sustained} of {} runs ({:.0}%, 95% interval {:.0}%-{:.0}%): alive on day {} with revenue covering spending over the last {} days.",
        runs.len(),
        100.0 * sustained as f64 / runs.len().max(1) as f64,
        100.0 * lo,
        100.0 * hi,
        spec.days,
        crate::model::SUSTAIN_DAYS.min(spec.days as usize + 1)
    )?;
    let out_of_money: Vec<u32> = runs
        .iter()
        .filter_map(|r| r.summary.funds_out_day)
        .collect();
    if !out_of_money.is_empty() {
        let (m, _, _) = spread(out_of_money.iter().map(|&d| d as f64));
        writeln!(
            out,
            "  the money ran out in {} of {} runs (median day {}): strategies stopped, the last in operator.priority first.",
            out_of_money.len(),
            runs.len(),
            num(m)
        )?;
    }
    let alive = runs.iter().filter(|r| r.summary.alive_at_end).count();
    if alive > 0 {
        writeln!(
            out,
            "  {alive} of {} runs were still alive on day {}: their lifetime is at least that.",
            runs.len(),
            spec.days
        )?;
    }
    Ok(())
}

fn duration(secs: f64) -> String {
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else {
        format!("{secs:.1} s")
    }
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 || x.abs() >= 10.0 {
        format!("{x:.0}")
    } else if x.abs() < 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.1}")
    }
}

/// `commsim plot`: redraws the charts of a results folder (and report.html)
/// from its CSV files, in place, and lists the files written.
pub fn plot(dir: &Path, out: &mut impl Write) -> Result<Vec<PathBuf>> {
    let mut written = crate::plot::render_all(dir)?;
    written.push(crate::plot::handout::write_run(dir)?);
    for path in &written {
        writeln!(out, "wrote {}", path.display()).map_err(|e| Error::io("stdout", e))?;
    }
    Ok(written)
}

/// Options of `commsim graph`.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    pub spec: GraphSpec,
    pub size: u64,
    pub seed: u64,
    pub out: PathBuf,
    pub force: bool,
}

/// `commsim graph`: writes a generated graph as an edge list.
pub fn graph(opts: &GraphOptions, out: &mut impl Write) -> Result<()> {
    if matches!(opts.spec, GraphSpec::File { .. } | GraphSpec::WellMixed) {
        return Err(Error::Usage(
            "commsim graph writes generated graphs: choose a model with edges".into(),
        ));
    }
    // Check parameters with the scenario checker, so the same ranges apply.
    let probe = Scenario::from_toml(
        &format!(
            // No launch members: `start.members` is no flag of this command.
            "[start]\nmembers = 0\n[population]\nsize = {}\n[population.graph]\n{}",
            opts.size,
            toml::to_string(&opts.spec).expect("plain TOML")
        ),
        Path::new("command line"),
        Path::new("."),
        "graph",
    )?;
    if opts.out.is_dir() {
        return Err(Error::Usage(format!(
            "-o {} is a folder: commsim graph writes one edge-list file; name the file, e.g. -o {}",
            opts.out.display(),
            opts.out.join("graph.edges").display()
        )));
    }
    let Some(file_name) = opts.out.file_name().and_then(|n| n.to_str()) else {
        return Err(Error::Usage(format!(
            "-o {}: name a file (in UTF-8), e.g. -o graph.edges",
            opts.out.display()
        )));
    };
    if file_name.len() > output::MAX_FOLDER_NAME {
        return Err(Error::Usage(format!(
            "-o: the file name is {} bytes long; at most {} are allowed",
            file_name.len(),
            output::MAX_FOLDER_NAME
        )));
    }
    if opts.out.exists() && !opts.force {
        return Err(Error::Usage(format!(
            "{} exists; pass --force to replace it",
            opts.out.display()
        )));
    }
    let spec = &probe.spec().population.graph;
    batch::check_memory(
        &probe,
        opts.size,
        batch::expected_edges(spec, opts.size),
        1,
        batch::available_memory(),
    )?;
    let g = batch::build_graph(spec, opts.size as usize, opts.seed)?;
    // A hidden name of our own beside the file, so that no file of the
    // user's (such as `g.partial` beside `g.edges`) is ever overwritten.
    let tmp = opts
        .out
        .with_file_name(format!(".{file_name}.partial-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        g.write_edge_list(&mut w)?;
        w.flush()?;
        std::fs::rename(&tmp, &opts.out)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(&opts.out, e)
    })?;
    let isolated = (0..g.node_count() as u32)
        .filter(|&v| g.degree(v) == 0)
        .count();
    writeln!(
        out,
        "wrote {} edges among {} people to {}{}",
        g.edge_count(),
        g.node_count() - isolated,
        opts.out.display(),
        if isolated > 0 {
            format!(
                " ({isolated} people without friends cannot appear in an edge list and are left out)"
            )
        } else {
            String::new()
        }
    )
    .map_err(|e| Error::io("stdout", e))
}
