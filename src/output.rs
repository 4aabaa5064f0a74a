//! Writing results: tidy CSV files, the resolved scenario and run metadata.
//!
//! Only this module (and the CLI glue) touches the disk. Results are written
//! into a staging folder beside the target and moved into place only when
//! every file is complete, so an interrupted or failed run never leaves a
//! half-written results folder and never replaces existing results unless
//! `--force` was given. docs/outputs.md documents every column. The charts
//! are drawn into the same staging folder by [`crate::plot`].

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::batch::Batch;
use crate::error::{Error, Result};
use crate::model::{DayRow, JoinSource, RunOutput, CAUSES};
use crate::stats::Band;

/// Files commsim writes into a results folder.
pub const RESULT_FILES: [&str; 8] = [
    "daily.csv",
    "runs.csv",
    "referrals.csv",
    "groups.csv",
    "members.csv",
    "bands.csv",
    "scenario.toml",
    "meta.json",
];

/// Files `commsim compare` and `commsim explain` write.
pub const REPORT_FILES: [&str; 7] = [
    "report.html",
    "compare.csv",
    "compare_bands.csv",
    "explain.md",
    "phases.csv",
    "counterfactuals.csv",
    "levers.csv",
];

/// Files `commsim optimise` writes.
pub const OPTIMISE_FILES: [&str; 3] = ["best.toml", "history.csv", "summary.txt"];

/// Whether a file name is one commsim writes into a results folder: a data
/// file, a report, an optimise result, or a chart drawn from them.
pub fn is_result_file(name: &str) -> bool {
    RESULT_FILES.contains(&name)
        || REPORT_FILES.contains(&name)
        || OPTIMISE_FILES.contains(&name)
        || crate::plot::CHART_FILES.contains(&name)
        || crate::plot::reports::REPORT_CHARTS.contains(&name)
}

/// Refuses to write into a folder that already holds anything, unless
/// forced; even forced, refuses a folder holding files commsim did not write,
/// since replacing the folder would delete them. Called before a batch
/// starts, so no work is wasted on a refusal.
pub fn check_target(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "output path {} exists and is not a folder",
            dir.display()
        )));
    }
    if !dir.exists() {
        return Ok(());
    }
    let mut foreign = Vec::new();
    let mut any = false;
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        any = true;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_result_file(&name) {
            foreign.push(name);
        }
    }
    if !any {
        return Ok(());
    }
    if !force {
        return Err(Error::OutputExists(dir.to_path_buf()));
    }
    if !foreign.is_empty() {
        foreign.sort();
        return Err(Error::Usage(format!(
            "output folder {} holds files commsim did not write ({}); --force would delete them, so choose another folder with --out",
            dir.display(),
            foreign.join(", ")
        )));
    }
    Ok(())
}

/// Rounds to 6 decimals and prints the shortest form (deterministic).
pub fn fmt6(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 {
        "0".into()
    } else {
        format!("{r}")
    }
}

/// Reads one number from a day's row.
pub type DayMetric = fn(&DayRow) -> f64;

/// The per-day metrics summarised in bands.csv, with how to read each.
pub const BAND_METRICS: [(&str, DayMetric); 12] = [
    ("members", |r| r.members as f64),
    ("active", |r| r.active as f64),
    ("silent", |r| r.silent as f64),
    ("muted", |r| r.muted as f64),
    ("joined", |r| r.joined as f64),
    ("left", |r| r.left as f64),
    ("referral_joins", |r| r.referral_joins as f64),
    ("messages", |r| r.messages as f64),
    ("mean_trust", |r| r.mean_trust),
    ("mean_interest", |r| r.mean_interest),
    ("revenue", |r| r.revenue),
    ("cost", |r| r.cost),
];

/// A CSV error as an I/O error on `path`.
pub fn csv_err(path: &Path, e: csv::Error) -> Error {
    let kind = e.kind();
    let io = match kind {
        csv::ErrorKind::Io(io) => std::io::Error::new(io.kind(), io.to_string()),
        _ => std::io::Error::other(e.to_string()),
    };
    Error::io(path, io)
}

fn writer(path: &Path) -> Result<csv::Writer<fs::File>> {
    csv::Writer::from_path(path).map_err(|e| csv_err(path, e))
}

/// The columns of daily.csv, in order: `run`, `day`, then one per day
/// metric (see [`daily_cell`]).
pub fn daily_header() -> Vec<String> {
    let mut header: Vec<String> = [
        "run",
        "day",
        "members",
        "active",
        "silent",
        "muted",
        "joined",
        "left",
        "referral_joins",
        "channel_joins",
        "muted_new",
        "invitations",
        "messages",
        "purchases",
        "mean_trust",
        "mean_interest",
        "revenue",
        "cost",
        "groups",
        "refused_full",
        "gift_joins",
        "gift_left",
        "lesson_readers",
        "lesson_trust_gain",
        "event_attendees",
        "event_trust_gain",
        "ads",
        "questions",
        "answered",
        "funds",
        "hours_used",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(CAUSES.iter().map(|c| format!("left_{}", c.name())));
    header
}

/// The daily.csv columns a sweep metric `column@day` can name: every column
/// but `run` and `day`.
pub fn daily_metric_columns() -> Vec<String> {
    daily_header().into_iter().skip(2).collect()
}

/// One day's cell of daily.csv column `column`, written exactly as
/// daily.csv writes it; None for `run`, `day` and unknown columns.
pub fn daily_cell(r: &DayRow, column: &str) -> Option<String> {
    if let Some(cause) = column.strip_prefix("left_") {
        if let Some(i) = CAUSES.iter().position(|c| c.name() == cause) {
            return Some(r.left_by_cause[i].to_string());
        }
    }
    Some(match column {
        "members" => r.members.to_string(),
        "active" => r.active.to_string(),
        "silent" => r.silent.to_string(),
        "muted" => r.muted.to_string(),
        "joined" => r.joined.to_string(),
        "left" => r.left.to_string(),
        "referral_joins" => r.referral_joins.to_string(),
        "channel_joins" => r.channel_joins.to_string(),
        "muted_new" => r.muted_new.to_string(),
        "invitations" => r.invitations.to_string(),
        "messages" => r.messages.to_string(),
        "purchases" => r.purchases.to_string(),
        "mean_trust" => fmt6(r.mean_trust),
        "mean_interest" => fmt6(r.mean_interest),
        "revenue" => fmt6(r.revenue),
        "cost" => fmt6(r.cost),
        "groups" => r.groups.to_string(),
        "refused_full" => r.refused_full.to_string(),
        "gift_joins" => r.gift_joins.to_string(),
        "gift_left" => r.gift_left.to_string(),
        "lesson_readers" => r.lesson_readers.to_string(),
        "lesson_trust_gain" => fmt6(r.lesson_trust_gain),
        "event_attendees" => r.event_attendees.to_string(),
        "event_trust_gain" => fmt6(r.event_trust_gain),
        "ads" => r.ads.to_string(),
        "questions" => r.questions.to_string(),
        "answered" => r.answered.to_string(),
        "funds" => fmt6(r.funds),
        "hours_used" => fmt6(r.hours_used),
        _ => return None,
    })
}

fn write_daily(path: &Path, batch: &Batch) -> Result<()> {
    let mut w = writer(path)?;
    let header = daily_header();
    w.write_record(&header).map_err(|e| csv_err(path, e))?;
    let mut rec: Vec<String> = Vec::with_capacity(header.len());
    for run in &batch.runs {
        for r in &run.days {
            rec.clear();
            rec.extend([
                run.run.to_string(),
                r.day.to_string(),
                r.members.to_string(),
                r.active.to_string(),
                r.silent.to_string(),
                r.muted.to_string(),
                r.joined.to_string(),
                r.left.to_string(),
                r.referral_joins.to_string(),
                r.channel_joins.to_string(),
                r.muted_new.to_string(),
                r.invitations.to_string(),
                r.messages.to_string(),
                r.purchases.to_string(),
                fmt6(r.mean_trust),
                fmt6(r.mean_interest),
                fmt6(r.revenue),
                fmt6(r.cost),
                r.groups.to_string(),
                r.refused_full.to_string(),
                r.gift_joins.to_string(),
                r.gift_left.to_string(),
                r.lesson_readers.to_string(),
                fmt6(r.lesson_trust_gain),
                r.event_attendees.to_string(),
                fmt6(r.event_trust_gain),
                r.ads.to_string(),
                r.questions.to_string(),
                r.answered.to_string(),
                fmt6(r.funds),
                fmt6(r.hours_used),
            ]);
            rec.extend(r.left_by_cause.iter().map(|c| c.to_string()));
            w.write_record(&rec).map_err(|e| csv_err(path, e))?;
        }
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// The columns of runs.csv, in order. results.csv of a sweep repeats them
/// after its `point` column, so a column added here appears in both.
pub fn runs_header() -> Vec<&'static str> {
    vec![
        "run",
        "seed",
        "peak_members",
        "peak_day",
        "peak_active",
        "lifetime_days",
        "alive_at_end",
        "final_members",
        "final_active",
        "total_joined",
        "total_left",
        "refused_full",
        "referral_share",
        "referral_trees",
        "largest_tree",
        "deepest_generation",
        "structural_virality",
        "revenue",
        "cost",
        "roi",
        "reached_per_kol",
        "hours_used",
        "funds_out_day",
        "self_sustaining",
    ]
}

/// One run's row of runs.csv, in the order of [`runs_header`].
pub fn runs_record(run: &RunOutput) -> Vec<String> {
    let s = &run.summary;
    let roi = if s.cost > 0.0 {
        fmt6((s.revenue - s.cost) / s.cost)
    } else {
        String::new()
    };
    vec![
        run.run.to_string(),
        run.seed.to_string(),
        s.peak_members.to_string(),
        s.peak_day.to_string(),
        s.peak_active.to_string(),
        s.lifetime_days.to_string(),
        s.alive_at_end.to_string(),
        s.final_members.to_string(),
        s.final_active.to_string(),
        s.total_joined.to_string(),
        s.total_left.to_string(),
        s.refused_full.to_string(),
        fmt6(s.referral_share),
        s.trees.trees.to_string(),
        s.trees.largest.to_string(),
        s.trees.deepest.to_string(),
        s.trees.virality.map_or(String::new(), fmt6),
        fmt6(s.revenue),
        fmt6(s.cost),
        roi,
        fmt6(s.reached_per_kol),
        fmt6(s.hours_used),
        s.funds_out_day.map_or(String::new(), |d| d.to_string()),
        s.self_sustaining.to_string(),
    ]
}

fn write_runs(path: &Path, batch: &Batch) -> Result<()> {
    let mut w = writer(path)?;
    w.write_record(runs_header())
        .map_err(|e| csv_err(path, e))?;
    for run in &batch.runs {
        w.write_record(runs_record(run))
            .map_err(|e| csv_err(path, e))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

fn write_referrals(path: &Path, batch: &Batch) -> Result<()> {
    let mut w = writer(path)?;
    w.write_record(["run", "day", "inviter", "invitee", "generation"])
        .map_err(|e| csv_err(path, e))?;
    for run in &batch.runs {
        for r in &run.referrals {
            w.write_record([
                run.run.to_string(),
                r.day.to_string(),
                r.inviter.to_string(),
                r.invitee.to_string(),
                r.generation.to_string(),
            ])
            .map_err(|e| csv_err(path, e))?;
        }
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// The columns of members.csv, in order (docs/outputs.md).
pub const MEMBERS_HEADER: [&str; 16] = [
    "run",
    "person",
    "source",
    "join_day",
    "mute_day",
    "leave_day",
    "cause",
    "group",
    "paid",
    "purchases",
    "degree",
    "ties",
    "events",
    "waitlisted",
    "trust",
    "need",
];

fn write_members(path: &Path, batch: &Batch) -> Result<()> {
    let mut w = writer(path)?;
    w.write_record(MEMBERS_HEADER)
        .map_err(|e| csv_err(path, e))?;
    let channels = &batch.scenario.spec().channels;
    let opt = |d: Option<u32>| d.map_or(String::new(), |d| d.to_string());
    for run in &batch.runs {
        for m in &run.members {
            let source = match m.source {
                JoinSource::Launch => "launch",
                JoinSource::Channel(c) => channels[c as usize].name.as_str(),
                JoinSource::Invited => "invited",
                JoinSource::Gift => "gift",
            };
            w.write_record([
                run.run.to_string(),
                m.person.to_string(),
                source.to_string(),
                m.join_day.to_string(),
                opt(m.mute_day),
                opt(m.leave_day),
                m.cause.map_or(String::new(), |c| c.name().to_string()),
                m.group.to_string(),
                (m.paid as u8).to_string(),
                m.purchases.to_string(),
                m.degree.to_string(),
                m.ties.to_string(),
                m.events.to_string(),
                m.waitlisted.to_string(),
                fmt6(m.trust as f64),
                fmt6(m.need as f64),
            ])
            .map_err(|e| csv_err(path, e))?;
        }
    }
    w.flush().map_err(|e| Error::io(path, e))
}

fn write_groups(path: &Path, batch: &Batch) -> Result<()> {
    let mut w = writer(path)?;
    w.write_record([
        "run",
        "day",
        "group",
        "members",
        "active",
        "muted",
        "joined",
        "left",
        "moved_in",
        "moved_out",
    ])
    .map_err(|e| csv_err(path, e))?;
    for run in &batch.runs {
        for g in &run.groups {
            w.write_record([
                run.run.to_string(),
                g.day.to_string(),
                g.group.to_string(),
                g.members.to_string(),
                g.active.to_string(),
                g.muted.to_string(),
                g.joined.to_string(),
                g.left.to_string(),
                g.moved_in.to_string(),
                g.moved_out.to_string(),
            ])
            .map_err(|e| csv_err(path, e))?;
        }
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// Bands for every day and metric, in that order.
pub fn bands(batch: &Batch) -> Vec<(u32, &'static str, Band)> {
    let days = batch.runs.first().map_or(0, |r| r.days.len());
    let mut out = Vec::with_capacity(days * BAND_METRICS.len());
    let mut values = Vec::with_capacity(batch.runs.len());
    for d in 0..days {
        for (name, get) in BAND_METRICS {
            values.clear();
            values.extend(batch.runs.iter().map(|r| get(&r.days[d])));
            out.push((d as u32, name, Band::of(&mut values)));
        }
    }
    out
}

/// bands.csv's bytes: every day and metric of [`bands`]. A sweep with
/// `[output] daily = true` keeps the same file for each point.
pub fn bands_csv(batch: &Batch) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(BANDS_HEADER).expect("writing to memory");
    for (day, name, b) in bands(batch) {
        w.write_record([
            day.to_string(),
            name.to_string(),
            fmt6(b.mean),
            fmt6(b.p5),
            fmt6(b.p25),
            fmt6(b.p50),
            fmt6(b.p75),
            fmt6(b.p95),
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// The columns of bands.csv.
pub const BANDS_HEADER: [&str; 8] = ["day", "metric", "mean", "p5", "p25", "p50", "p75", "p95"];

fn write_bands(path: &Path, batch: &Batch) -> Result<()> {
    let mut f = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(&bands_csv(batch))
        .map_err(|e| Error::io(path, e))
}

/// Writes a text file (inside a staging folder).
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    let mut f = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(path, e))
}

fn meta_json(batch: &Batch) -> String {
    let spec = batch.scenario.spec();
    let resolved = batch.scenario.to_toml();
    let command_line: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let meta = serde_json::json!({
        "commsim_version": env!("CARGO_PKG_VERSION"),
        "git_commit": env!("COMMSIM_GIT_COMMIT"),
        // FNV-1a (64-bit, hex) of the resolved scenario.toml's TOML (after
        // its two comment lines): equal hashes, same scenario.
        "scenario_hash": format!("{:016x}", crate::sweep::plan::fnv1a(resolved.as_bytes())),
        "command_line": command_line,
        "scenario": spec.name,
        "source": batch.scenario.source().display().to_string(),
        "seed": spec.seed,
        "runs": spec.runs,
        "days": spec.days,
        "population": batch.nodes,
        "edges": batch.edges,
        "threads": batch.threads,
        "wall_seconds": (batch.wall.as_secs_f64() * 1000.0).round() / 1000.0,
    });
    serde_json::to_string_pretty(&meta).expect("plain JSON") + "\n"
}

/// Writes all result files of `batch` into the claimed folder, atomically.
pub fn write_results(target: Target, batch: &Batch) -> Result<()> {
    target.write(|staging| {
        write_daily(&staging.join("daily.csv"), batch)?;
        write_runs(&staging.join("runs.csv"), batch)?;
        if batch.scenario.spec().output.referrals {
            write_referrals(&staging.join("referrals.csv"), batch)?;
        }
        write_groups(&staging.join("groups.csv"), batch)?;
        if batch.scenario.spec().output.members {
            write_members(&staging.join("members.csv"), batch)?;
        }
        write_bands(&staging.join("bands.csv"), batch)?;
        let toml = format!(
            "# Resolved scenario: every default filled in. Rerun with\n# commsim run scenario.toml\n{}",
            batch.scenario.to_toml()
        );
        write_text(&staging.join("scenario.toml"), &toml)?;
        write_text(&staging.join("meta.json"), &meta_json(batch))?;
        // Charts are drawn from the files just written, exactly as
        // `commsim plot` would draw them, and are part of the atomic result.
        crate::plot::render_all(staging)?;
        crate::plot::handout::write_run(staging)?;
        Ok(())
    })
}

/// Longest output folder name accepted, in bytes: the hidden staging and
/// lock names beside it add up to 22 bytes, and file names stop at 255.
pub const MAX_FOLDER_NAME: usize = 200;

/// An output folder claimed by this process: the lock beside it is held from
/// [`claim`] (before any work) until the results are in place or the claim is
/// dropped, so two commands writing into one folder cannot both proceed.
///
/// Beside the folder `DIR` live, hidden: `.DIR.lock` (the lock file, removed
/// when the claim ends), `.DIR.partial-PID` (the staging folder) and, only
/// on systems without an atomic exchange of two folders, `.DIR.old-PID`
/// (the previous results while they are being replaced). A crash can leave
/// the last two behind; the next claim of the folder removes a staging
/// folder and puts a set-aside previous result back if the folder is missing.
#[derive(Debug)]
pub struct Target {
    dir: PathBuf,
    parent: PathBuf,
    name: String,
    force: bool,
    lock: Option<Lock>,
    /// Folders [`claim`] created to hold the lock, removed again (deepest
    /// first) if the claim ends without results.
    created: Vec<PathBuf>,
    done: bool,
}

/// Claims `dir` for writing results: refuses a name that cannot be used, a
/// folder another commsim is writing now, and (through [`check_target`]) one
/// that holds results without `force`. Call it before any work.
pub fn claim(dir: &Path, force: bool) -> Result<Target> {
    let (parent, name) = split_target(dir)?;
    let mut created = Vec::new();
    let mut missing = parent.as_path();
    while !missing.exists() {
        created.push(missing.to_path_buf());
        match missing.parent() {
            Some(p) if !p.as_os_str().is_empty() => missing = p,
            _ => break,
        }
    }
    let mut target = Target {
        dir: parent.join(&name),
        parent,
        name,
        force,
        lock: None,
        created,
        done: false,
    };
    fs::create_dir_all(&target.parent).map_err(|e| Error::io(&target.parent, e))?;
    target.lock = Some(Lock::acquire(
        &target.parent.join(format!(".{}.lock", target.name)),
        &target.dir,
    )?);
    target.recover()?;
    check_target(&target.dir, force)?;
    Ok(target)
}

/// The folder's parent and name, refusing paths that cannot be replaced as a
/// whole: one without a name (`.`, `..`, `/`), the current folder or one
/// above it, and names too long for the hidden names beside them.
fn split_target(dir: &Path) -> Result<(PathBuf, String)> {
    let abs = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
    // Resolve `.` and `..` through the file system where the path exists.
    let resolved = fs::canonicalize(&abs).unwrap_or(abs);
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| fs::canonicalize(c).ok());
    let is_cwd_or_above = cwd.is_some_and(|c| c.starts_with(&resolved));
    let (Some(parent), Some(name), false) =
        (resolved.parent(), resolved.file_name(), is_cwd_or_above)
    else {
        return Err(Error::Usage(format!(
            "--out {}: the output folder is replaced as a whole when the results are complete, so it cannot be the current folder, one above it or the root; name a new folder, e.g. --out results",
            dir.display()
        )));
    };
    let Some(name) = name.to_str().map(str::to_string) else {
        return Err(Error::Usage(format!(
            "--out {}: the folder name is not valid UTF-8",
            dir.display()
        )));
    };
    if name.len() > MAX_FOLDER_NAME {
        return Err(Error::Usage(format!(
            "--out: the folder name is {} bytes long; at most {MAX_FOLDER_NAME} are allowed (hidden working names beside it need the rest of the file system's 255)",
            name.len()
        )));
    }
    Ok((parent.to_path_buf(), name))
}

impl Target {
    /// The results folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn staging(&self) -> PathBuf {
        self.parent
            .join(format!(".{}.partial-{}", self.name, std::process::id()))
    }

    /// Cleans up after a crash of an earlier claim (we hold the lock, so no
    /// other process is using these names): puts a set-aside previous result
    /// back when the folder itself is missing, and removes staging folders.
    fn recover(&self) -> Result<()> {
        let entries = fs::read_dir(&self.parent).map_err(|e| Error::io(&self.parent, e))?;
        let partial = format!(".{}.partial-", self.name);
        let old = format!(".{}.old-", self.name);
        let mut olds = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.parent, e))?;
            let file = entry.file_name();
            let Some(file) = file.to_str() else { continue };
            let path = entry.path();
            if file.starts_with(&partial) {
                fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            } else if file.starts_with(&old) {
                olds.push(path);
            }
        }
        olds.sort();
        for path in olds {
            if !self.dir.exists() {
                fs::rename(&path, &self.dir).map_err(|e| Error::io(&path, e))?;
            } else {
                fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        Ok(())
    }

    /// Fills the results folder atomically: `fill` writes into a staging
    /// folder beside it, which then takes the folder's place. The previous
    /// results (only there with `force`) are swapped out in one step where
    /// the system can exchange two folders atomically (Linux), so that the
    /// old or the new folder always exists. On any failure the staging
    /// folder is removed and the folder is left as it was.
    pub fn write(mut self, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        // Checked again: the folder is locked, but a person may have put
        // files into it while the batch ran.
        check_target(&self.dir, self.force)?;
        let staging = self.staging();
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        if let Err(e) = fill(&staging) {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        let result = self.swap_in(&staging);
        if result.is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
        result?;
        self.done = true;
        Ok(())
    }

    fn swap_in(&self, staging: &Path) -> Result<()> {
        if !self.dir.exists() {
            return fs::rename(staging, &self.dir).map_err(|e| Error::io(&self.dir, e));
        }
        match exchange(staging, &self.dir) {
            Ok(true) => {
                // The staging name now holds the previous results.
                return fs::remove_dir_all(staging).map_err(|e| Error::io(staging, e));
            }
            Ok(false) => {}
            Err(e) => return Err(Error::io(&self.dir, e)),
        }
        // No atomic exchange here: set the old folder aside under a name
        // that the next claim recognises, move the new one in, then delete.
        let old = self
            .parent
            .join(format!(".{}.old-{}", self.name, std::process::id()));
        fs::rename(&self.dir, &old).map_err(|e| Error::io(&self.dir, e))?;
        if let Err(e) = fs::rename(staging, &self.dir) {
            let _ = fs::rename(&old, &self.dir);
            return Err(Error::io(&self.dir, e));
        }
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        // Release the lock (removing its file) before removing folders
        // created for it.
        self.lock = None;
        if !self.done {
            for dir in &self.created {
                if fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
    }
}

/// Exchanges two folders in one step. `Ok(false)` where the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the
    // call; renameat2 does not keep them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::ENOTSUP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// An exclusive lock on a file, held until dropped (then the file is
/// removed). The lock is the kernel's (flock), so a process that dies
/// releases it; a stale file without a holder is simply locked again.
#[derive(Debug)]
struct Lock {
    path: PathBuf,
    _file: fs::File,
}

impl Lock {
    fn acquire(path: &Path, dir: &Path) -> Result<Lock> {
        loop {
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            if !try_lock(&file).map_err(|e| Error::io(path, e))? {
                return Err(Error::Usage(format!(
                    "another commsim is writing results into {} right now (it holds {}); wait for it to finish, or choose another folder with --out",
                    dir.display(),
                    path.display()
                )));
            }
            // The holder before us may have removed the file between our
            // open and our lock: then we locked a file nobody else sees, and
            // try again on the one that is there now.
            if same_file(&file, path) {
                return Ok(Lock {
                    path: path.to_path_buf(),
                    _file: file,
                });
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so that a process waiting on this
        // file sees that it changed (see `acquire`).
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn try_lock(file: &fs::File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: the descriptor is open for the duration of the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Elsewhere the file exists but is not locked: commsim is built and tested
/// on Linux.
#[cfg(not(unix))]
fn try_lock(_file: &fs::File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(not(unix))]
fn same_file(_file: &fs::File, _path: &Path) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_daily_metric_column_has_a_cell_written_as_daily_csv_writes_it() {
        let r = DayRow {
            day: 3,
            active: 7,
            funds: 12.345_678_9,
            ..DayRow::default()
        };
        let columns = daily_metric_columns();
        assert_eq!(columns.len() + 2, daily_header().len());
        for c in &columns {
            assert!(daily_cell(&r, c).is_some(), "{c}");
        }
        assert_eq!(daily_cell(&r, "active").as_deref(), Some("7"));
        assert_eq!(daily_cell(&r, "funds").as_deref(), Some("12.345679"));
        for not_a_metric in ["run", "day", "left_nope", "activ"] {
            assert_eq!(daily_cell(&r, not_a_metric), None, "{not_a_metric}");
        }
    }
}
