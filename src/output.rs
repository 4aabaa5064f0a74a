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
pub const REPORT_FILES: [&str; 6] = [
    "report.html",
    "compare.csv",
    "compare_bands.csv",
    "explain.md",
    "phases.csv",
    "counterfactuals.csv",
];

/// Whether a file name is one commsim writes into a results folder: a data
/// file, a report, or a chart drawn from them.
pub fn is_result_file(name: &str) -> bool {
    RESULT_FILES.contains(&name)
        || REPORT_FILES.contains(&name)
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

fn write_daily(path: &Path, batch: &Batch) -> Result<()> {
    let mut w = writer(path)?;
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
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(CAUSES.iter().map(|c| format!("left_{}", c.name())));
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
        "referral_share",
        "referral_trees",
        "largest_tree",
        "deepest_generation",
        "structural_virality",
        "revenue",
        "cost",
        "roi",
        "reached_per_kol",
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
        fmt6(s.referral_share),
        s.trees.trees.to_string(),
        s.trees.largest.to_string(),
        s.trees.deepest.to_string(),
        s.trees.virality.map_or(String::new(), fmt6),
        fmt6(s.revenue),
        fmt6(s.cost),
        roi,
        fmt6(s.reached_per_kol),
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
        "run", "day", "group", "members", "active", "muted", "joined", "left",
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

fn write_bands(path: &Path, batch: &Batch) -> Result<()> {
    let mut w = writer(path)?;
    w.write_record(["day", "metric", "mean", "p5", "p25", "p50", "p75", "p95"])
        .map_err(|e| csv_err(path, e))?;
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
        .map_err(|e| csv_err(path, e))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
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
    let meta = serde_json::json!({
        "commsim_version": env!("CARGO_PKG_VERSION"),
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

/// Writes all result files of `batch` into `dir`, atomically.
pub fn write_results(dir: &Path, batch: &Batch, force: bool) -> Result<()> {
    write_folder(dir, force, |staging| {
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

/// Fills a results folder atomically: `fill` writes into a staging folder
/// beside `dir`, which then replaces `dir` (only with `force` if `dir` holds
/// anything). On any failure the staging folder is removed and `dir` is left
/// as it was.
pub fn write_folder(dir: &Path, force: bool, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    check_target(dir, force)?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let name = dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".into());
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
    if let Err(e) = fill(&staging) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    // Move into place: the old folder (if forced) is set aside first and
    // removed only once the new one is in place.
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = dir.exists();
    if had_old {
        fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
    }
    if let Err(e) = fs::rename(&staging, dir) {
        if had_old {
            let _ = fs::rename(&old, dir);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(Error::io(dir, e));
    }
    if had_old {
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}
