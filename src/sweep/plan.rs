//! The sweep file, and the plan made from it: every point's parameter values.
//!
//! A sweep file is read in two steps, like a scenario: its shape (serde,
//! unknown fields rejected) and then a checked [`Sweep`] whose every point
//! has passed the scenario checker. The plan is what `plan.json` holds: the
//! resolved base scenario, the design and every point's values. Its hash
//! identifies a sweep across shards, machines and restarts. docs/sweep.md
//! documents the file format; keep the two in step.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::design;
use super::metric::{parse_daily, DailyMetric};
use super::path::{inline, kind_name, FieldPath};
use crate::error::{Error, Result};
use crate::output;
use crate::rng;
use crate::scenario::Scenario;

/// Most points one sweep may have. plan.json lists them all, and every shard
/// checks every point's scenario before it starts.
pub const MAX_POINTS: u64 = 1_000_000;

/// How the points are chosen.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// The Cartesian product of every parameter's values.
    Grid,
    /// Parameters' values zipped: point i takes the i-th value of each.
    List,
    /// A Latin hypercube of `samples` points between each `min` and `max`.
    Lhs,
    /// The Saltelli design for Sobol indices, base sample size `samples`.
    Saltelli,
    /// Morris trajectories for elementary effects.
    Morris,
}

impl DesignKind {
    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::List => "list",
            DesignKind::Lhs => "lhs",
            DesignKind::Saltelli => "saltelli",
            DesignKind::Morris => "morris",
        }
    }

    /// Whether parameters are drawn between `min` and `max`.
    fn sampled(self) -> bool {
        matches!(
            self,
            DesignKind::Lhs | DesignKind::Saltelli | DesignKind::Morris
        )
    }

    /// Whether the design supports sensitivity indices.
    pub fn has_sensitivity(self) -> bool {
        matches!(self, DesignKind::Saltelli | DesignKind::Morris)
    }
}

/// A sweep file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    base: PathBuf,
    runs: Option<u32>,
    #[serde(
        default,
        deserialize_with = "crate::scenario::seed_serde::option::deserialize"
    )]
    seed: Option<u64>,
    design: DesignKind,
    samples: Option<u64>,
    trajectories: Option<u64>,
    levels: Option<u64>,
    metrics: Option<Vec<String>>,
    #[serde(rename = "param", default)]
    params: Vec<ParamFile>,
    heatmap: Option<HeatmapSpec>,
    output: Option<OutputFile>,
}

/// The sweep file's `[output]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputFile {
    /// Keep each point's daily bands (points/<id>/bands.csv) and the
    /// combined bands.csv.
    #[serde(default)]
    daily: bool,
}

/// One `[[param]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamFile {
    path: String,
    values: Option<Vec<toml::Value>>,
    from: Option<f64>,
    to: Option<f64>,
    steps: Option<u64>,
    min: Option<f64>,
    max: Option<f64>,
}

/// The `[heatmap]` table: a chart of `metric`'s mean over two grid
/// parameters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HeatmapSpec {
    pub x: String,
    pub y: String,
    pub metric: String,
}

/// A swept parameter as recorded in plan.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanParam {
    pub path: String,
    /// The kind of value the field holds ("a whole number", "a number", ...).
    pub kind: String,
    /// Range of sampled designs (absent for grids and lists).
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// One point as recorded in plan.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanPoint {
    /// Each parameter's value as TOML text (`0.5`, `12`, `"contagion"`).
    pub values: Vec<String>,
    /// Coordinates in the unit hypercube, for sampled designs: what the
    /// sensitivity estimators read (integer fields are rounded after
    /// scaling, so the values can differ slightly from min + unit × range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Vec<f64>>,
}

/// Everything that defines a sweep's results: plan.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub commsim_version: String,
    /// FNV-1a (64-bit) hash of this JSON, compact, with `plan_hash` empty.
    pub plan_hash: String,
    pub design: DesignKind,
    pub samples: Option<u64>,
    pub trajectories: Option<u64>,
    pub levels: Option<u64>,
    /// The sweep seed: point p's scenario seed is derived from (seed, p).
    pub seed: u64,
    /// Runs per point.
    pub runs: u32,
    pub params: Vec<PlanParam>,
    /// Metrics for sensitivity indices (empty for other designs).
    pub metrics: Vec<String>,
    pub heatmap: Option<HeatmapSpec>,
    /// `[output] daily = true`: every point keeps its daily bands. Left out
    /// of plan.json when false, so plans without it hash as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub daily_bands: bool,
    /// The base scenario with every default filled in, as TOML (its `runs`
    /// and `seed` are replaced at each point).
    pub base_scenario: String,
    pub points: Vec<PlanPoint>,
}

/// FNV-1a, 64 bits: a stable, dependency-free fingerprint (not a defence
/// against deliberate collisions, which nobody has a reason to make here).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Plan {
    /// The hash of the plan's content.
    pub fn compute_hash(&self) -> String {
        let mut bare = self.clone();
        bare.plan_hash = String::new();
        let text = serde_json::to_string(&bare).expect("a plan serialises");
        format!("{:016x}", fnv1a(text.as_bytes()))
    }

    /// plan.json's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan serialises") + "\n"
    }

    /// Reads plan.json, checking that its hash matches its content.
    pub fn from_json(text: &str, path: &Path) -> Result<Plan> {
        let plan: Plan = serde_json::from_str(text).map_err(|e| Error::Scenario {
            path: path.to_path_buf(),
            message: format!("not a commsim sweep plan: {e}"),
        })?;
        let hash = plan.compute_hash();
        if hash != plan.plan_hash {
            return Err(Error::Scenario {
                path: path.to_path_buf(),
                message: format!(
                    "plan_hash is {} but the content hashes to {hash}: the file was edited or damaged",
                    plan.plan_hash
                ),
            });
        }
        Ok(plan)
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The scenario seed of point `p`.
    pub fn point_seed(&self, p: usize) -> u64 {
        rng::point_seed(self.seed, p as u64)
    }

    /// Parameter paths, in order.
    pub fn param_paths(&self) -> Vec<&str> {
        self.params.iter().map(|p| p.path.as_str()).collect()
    }

    /// Point p's values, parsed back from their TOML text.
    pub fn point_values(&self, p: usize) -> Vec<toml::Value> {
        self.points[p]
            .values
            .iter()
            .map(|t| parse_value(t).expect("plan values are TOML written by commsim"))
            .collect()
    }

    /// The daily metrics (`active@30`) the sweep keeps, in the order of
    /// `metrics` and then the heatmap's metric, each once. Their values
    /// are columns of the point files and results.csv after runs.csv's.
    pub fn daily_metrics(&self) -> Vec<DailyMetric> {
        let mut out: Vec<DailyMetric> = Vec::new();
        let names = self
            .metrics
            .iter()
            .chain(self.heatmap.as_ref().map(|h| &h.metric));
        for name in names {
            if let Some(Ok(m)) = parse_daily(name, u32::MAX) {
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        out
    }

    /// Every metric of the point files, results.csv and summary.csv:
    /// runs.csv's (see [`metric_names`]), then [`Plan::daily_metrics`].
    pub fn all_metrics(&self) -> Vec<String> {
        let mut out: Vec<String> = metric_names().iter().map(|s| s.to_string()).collect();
        out.extend(self.daily_metrics().into_iter().map(|m| m.name));
        out
    }

    /// The fewest days any point runs (`days` may be swept).
    pub fn fewest_days(&self) -> u32 {
        let tree: toml::Value = toml::from_str::<toml::Table>(&self.base_scenario)
            .map(toml::Value::Table)
            .unwrap_or(toml::Value::Boolean(false));
        fewest_days(&tree, &self.params, &self.points)
    }

    /// "content.quality = 0.5, channel[0].daily = 5.0": point p for messages.
    pub fn describe_point(&self, p: usize) -> String {
        self.params
            .iter()
            .zip(&self.points[p].values)
            .map(|(param, v)| format!("{} = {v}", param.path))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The metrics a sweep summarises: runs.csv's columns but `run` and `seed`.
pub fn metric_names() -> Vec<&'static str> {
    output::runs_header()
        .into_iter()
        .filter(|c| *c != "run" && *c != "seed")
        .collect()
}

/// The fewest days run by any point: the base scenario's `days`, or the
/// smallest swept value of `days`.
fn fewest_days(base: &toml::Value, params: &[PlanParam], points: &[PlanPoint]) -> u32 {
    let base_days = base
        .get("days")
        .and_then(toml::Value::as_integer)
        .unwrap_or(0);
    let Some(i) = params.iter().position(|p| p.path == "days") else {
        return base_days.clamp(0, u32::MAX as i64) as u32;
    };
    points
        .iter()
        .filter_map(|pt| parse_value(&pt.values[i]).ok()?.as_integer())
        .min()
        .unwrap_or(base_days)
        .clamp(0, u32::MAX as i64) as u32
}

/// Checks a metric name: a runs.csv column, or a daily column on a day
/// no later than `days`. The message names the metric and what is allowed.
pub fn check_metric_name(name: &str, days: u32) -> std::result::Result<(), String> {
    let all = metric_names();
    match parse_daily(name, days) {
        Some(r) => r.map(|_| ()),
        None if all.contains(&name) => Ok(()),
        None => Err(format!(
            "unknown metric `{name}`; the metrics are runs.csv's columns: {}, or a daily.csv column on a day, written column@day (e.g. active@30), where the column is one of {}",
            all.join(", "),
            crate::output::daily_metric_columns().join(", ")
        )),
    }
}

/// The metrics that are true/false per run (runs.csv writes `true` or
/// `false`): a point's value is the share of its runs that are true, with a
/// Wilson interval, and a heatmap draws them on a fixed 0–1 scale.
pub const SHARE_METRICS: [&str; 2] = ["alive_at_end", "self_sustaining"];

/// Whether `metric` is a share of runs (see [`SHARE_METRICS`]).
pub fn is_share(metric: &str) -> bool {
    SHARE_METRICS.contains(&metric)
}

/// A TOML value as text that reads back as the same value and type: floats
/// keep a decimal point (`5.0`, not `5`), and infinities are `inf`.
pub fn value_text(v: &toml::Value) -> String {
    inline(v)
}

/// A value as a points.csv cell: text without its quotes, everything else as
/// in [`value_text`].
pub fn value_cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => value_text(other),
    }
}

fn parse_value(text: &str) -> std::result::Result<toml::Value, String> {
    let mut t: toml::Table = toml::from_str(&format!("v = {text}")).map_err(|e| e.to_string())?;
    t.remove("v").ok_or_else(|| "no value".to_string())
}

/// Rounds to 12 significant digits, so that grid steps such as 0.1 to 0.9
/// give 0.3 rather than 0.30000000000000004.
fn tidy(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// A checked sweep: the plan plus what running its points needs.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file, for messages.
    pub file: PathBuf,
    pub plan: Plan,
    base_source: PathBuf,
    base_dir: PathBuf,
    base_stem: String,
    /// The base scenario with every default filled in.
    base_tree: toml::Value,
    paths: Vec<FieldPath>,
}

impl Sweep {
    /// Reads and checks a sweep file and every point's scenario.
    pub fn load(file: &Path) -> Result<Sweep> {
        let text = crate::scenario::read_text_file(file, "sweep file").map_err(|message| {
            Error::Scenario {
                path: file.to_path_buf(),
                message,
            }
        })?;
        Sweep::from_text(&text, file)
    }

    /// Checks sweep-file text as if read from `file` (which names it in
    /// messages; a relative `base` is resolved against its folder).
    pub fn from_text(text: &str, file: &Path) -> Result<Sweep> {
        let err = |message: String| Error::Scenario {
            path: file.to_path_buf(),
            message,
        };
        let tree: toml::Table =
            toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        if let Some(toml::Value::Table(_)) = tree.get("param") {
            return Err(err(
                "[param] is written with single brackets: write [[param]]: a sweep can have several, one [[param]] table each".into(),
            ));
        }
        let spec: SweepFile =
            toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        let dir = file.parent().unwrap_or(Path::new("."));
        let base_source = dir.join(&spec.base);
        if !base_source.is_file() {
            return Err(err(format!(
                "field `base` = {:?}: there is no scenario file {} (a relative `base` is resolved against the sweep file's folder)",
                spec.base.display().to_string(),
                base_source.display()
            )));
        }
        let base = Scenario::load(&base_source)?;
        let runs = spec.runs.unwrap_or(base.spec().runs);
        if !(1..=1_000_000).contains(&runs) {
            return Err(err(format!(
                "field `runs` = {runs} is out of range: allowed 1 to 1000000"
            )));
        }
        let seed = spec.seed.unwrap_or(base.spec().seed);

        // The tree that paths resolve against: the base scenario as
        // `commsim run` would record it, every default filled in. Its seed is
        // set to 0 here because TOML integers stop at 2^63 - 1 and each point
        // gets its own seed anyway.
        let mut resolved = base.clone().with_overrides(Some(runs), Some(0))?;
        if let Some(n) = resolved.population_size() {
            resolved.set_population_size(n);
        }
        let base_text = resolved.to_toml();
        let base_tree = toml::Value::Table(
            toml::from_str(&base_text).expect("a resolved scenario reads back as TOML"),
        );

        let kind = spec.design;
        check_design_fields(&spec).map_err(err)?;
        if spec.params.is_empty() {
            return Err(err(
                "no parameters: add at least one [[param]] table with a `path`".into(),
            ));
        }
        let mut paths: Vec<FieldPath> = Vec::new();
        let mut plan_params = Vec::new();
        // Each parameter's candidate values (grid and list) or range.
        let mut lists: Vec<Vec<toml::Value>> = Vec::new();
        let mut ranges: Vec<(f64, f64, bool)> = Vec::new();
        for p in &spec.params {
            let path = FieldPath::parse(&p.path).map_err(|m| err(format!("[[param]]: {m}")))?;
            if paths.iter().any(|q| q.as_str() == p.path) {
                return Err(err(format!("param `{}` is listed twice", p.path)));
            }
            for fixed in ["runs", "seed"] {
                if path.is_top_level(fixed) {
                    return Err(err(format!(
                        "param `{fixed}` cannot be swept: the sweep sets it (`{fixed}` in the sweep file{})",
                        if fixed == "seed" {
                            "; each point's seed is derived from it"
                        } else {
                            ""
                        }
                    )));
                }
            }
            let existing = path
                .get(&base_tree)
                .map_err(|m| err(format!("[[param]] {m}")))?;
            let name = format!("param `{}`", p.path);
            let (lo, hi) = if kind.sampled() {
                let r = check_range(&name, p, existing, kind).map_err(err)?;
                ranges.push(r);
                (Some(r.0), Some(r.1))
            } else {
                let values = param_values(&name, p, existing, kind).map_err(err)?;
                if kind == DesignKind::Grid {
                    let texts: Vec<String> = values.iter().map(value_text).collect();
                    if let Some(i) = (1..texts.len()).find(|&i| texts[..i].contains(&texts[i])) {
                        return Err(err(format!(
                            "{name}: a grid lists each value once, but {} appears twice",
                            texts[i]
                        )));
                    }
                }
                lists.push(values);
                (None, None)
            };
            plan_params.push(PlanParam {
                path: p.path.clone(),
                kind: kind_name(existing).to_string(),
                min: lo,
                max: hi,
            });
            paths.push(path);
        }
        let k = paths.len();

        // Every point's values (and unit coordinates for sampled designs).
        let count = match kind {
            DesignKind::Grid => lists
                .iter()
                .try_fold(1u64, |acc, l| acc.checked_mul(l.len() as u64))
                .unwrap_or(u64::MAX),
            DesignKind::List => {
                let n = lists[0].len();
                if let Some((p, l)) = spec.params.iter().zip(&lists).find(|(_, l)| l.len() != n) {
                    return Err(err(format!(
                        "a list design zips the parameters' values, so all must have the same number of values: param `{}` has {n}, param `{}` has {}",
                        spec.params[0].path,
                        p.path,
                        l.len()
                    )));
                }
                n as u64
            }
            DesignKind::Lhs => spec.samples.unwrap_or(0),
            DesignKind::Saltelli => spec.samples.unwrap_or(0).saturating_mul(k as u64 + 2),
            DesignKind::Morris => spec.trajectories.unwrap_or(0).saturating_mul(k as u64 + 1),
        };
        if count > MAX_POINTS {
            return Err(err(format!(
                "the {} design has {count} points; at most {MAX_POINTS} are allowed in one sweep: split it into several sweeps",
                kind.name()
            )));
        }
        let mut points: Vec<PlanPoint> = Vec::with_capacity(count as usize);
        match kind {
            DesignKind::Grid => {
                let counts: Vec<usize> = lists.iter().map(Vec::len).collect();
                for idx in design::grid(&counts) {
                    points.push(PlanPoint {
                        values: idx
                            .iter()
                            .zip(&lists)
                            .map(|(&i, l)| value_text(&l[i]))
                            .collect(),
                        unit: None,
                    });
                }
            }
            DesignKind::List => {
                for i in 0..count as usize {
                    points.push(PlanPoint {
                        values: lists.iter().map(|l| value_text(&l[i])).collect(),
                        unit: None,
                    });
                }
            }
            _ => {
                let mut rng = design::design_rng(seed);
                let n = spec.samples.unwrap_or(0) as usize;
                let units = match kind {
                    DesignKind::Lhs => design::latin_hypercube(&mut rng, n, k),
                    DesignKind::Saltelli => design::saltelli(&mut rng, n, k),
                    _ => design::morris(
                        &mut rng,
                        spec.trajectories.unwrap_or(0) as usize,
                        k,
                        spec.levels.unwrap_or(DEFAULT_LEVELS) as usize,
                    ),
                };
                for u in units {
                    let values = u
                        .iter()
                        .zip(&ranges)
                        .map(|(&x, &(lo, hi, integer))| {
                            // Exactly lo at 0 and hi at 1, whatever the rounding.
                            let v = (lo * (1.0 - x) + hi * x).clamp(lo, hi);
                            value_text(&if integer {
                                toml::Value::Integer(v.round() as i64)
                            } else {
                                toml::Value::Float(v)
                            })
                        })
                        .collect();
                    points.push(PlanPoint {
                        values,
                        unit: Some(u),
                    });
                }
            }
        }

        let days = fewest_days(&base_tree, &plan_params, &points);
        let check_metric = |field: &str, m: &str| -> std::result::Result<(), String> {
            check_metric_name(m, days).map_err(|e| format!("{field}: {e}"))
        };
        let metrics: Vec<String> = match (&spec.metrics, kind.has_sensitivity()) {
            (Some(list), false) if list.iter().any(|m| !m.contains('@')) => {
                return Err(err(format!(
                    "field `metrics` chooses the outputs of sensitivity indices, which only the saltelli and morris designs compute; in this {} design it may only add daily metrics (column@day, e.g. active@30) to results.csv and summary.csv, which cover every runs.csv metric already",
                    kind.name()
                )))
            }
            (Some(list), _) => {
                if list.is_empty() {
                    return Err(err("field `metrics` is empty: name at least one metric, or leave the field out for all of them".into()));
                }
                for (i, m) in list.iter().enumerate() {
                    check_metric("field `metrics`", m).map_err(err)?;
                    if list[..i].contains(m) {
                        return Err(err(format!("field `metrics` lists `{m}` twice")));
                    }
                }
                list.clone()
            }
            (None, true) => metric_names().iter().map(|s| s.to_string()).collect(),
            (None, false) => Vec::new(),
        };
        if let Some(h) = &spec.heatmap {
            let names: Vec<&str> = spec.params.iter().map(|p| p.path.as_str()).collect();
            if kind != DesignKind::Grid || k != 2 {
                return Err(err(format!(
                    "[heatmap] needs a grid design over exactly two parameters; this is a {} design over {k}",
                    kind.name()
                )));
            }
            for (field, v) in [("x", &h.x), ("y", &h.y)] {
                if !names.contains(&v.as_str()) {
                    return Err(err(format!(
                        "[heatmap] {field} = {v:?} is not a swept parameter; the parameters are {}",
                        names.join(", ")
                    )));
                }
            }
            if h.x == h.y {
                return Err(err(
                    "[heatmap] x and y must be the two different parameters".into(),
                ));
            }
            check_metric("[heatmap] metric", &h.metric).map_err(err)?;
        }

        let mut plan = Plan {
            commsim_version: env!("CARGO_PKG_VERSION").to_string(),
            plan_hash: String::new(),
            design: kind,
            samples: spec.samples,
            trajectories: spec.trajectories,
            levels: match kind {
                DesignKind::Morris => Some(spec.levels.unwrap_or(DEFAULT_LEVELS)),
                _ => None,
            },
            seed,
            runs,
            params: plan_params,
            metrics,
            heatmap: spec.heatmap.clone(),
            daily_bands: spec.output.as_ref().is_some_and(|o| o.daily),
            base_scenario: base_text,
            points,
        };
        plan.plan_hash = plan.compute_hash();
        let stem = base_source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        let sweep = Sweep {
            file: file.to_path_buf(),
            plan,
            base_dir: base_source.parent().unwrap_or(Path::new(".")).to_path_buf(),
            base_source,
            base_stem: stem,
            base_tree,
            paths,
        };
        // Every point is checked before any is run, so a bad value is
        // reported at once rather than after hours of work.
        for p in 0..sweep.plan.len() {
            sweep.point_scenario(p)?;
        }
        Ok(sweep)
    }

    /// Point p's scenario: the base with the point's values, the sweep's
    /// runs and the point's seed, checked like any scenario file.
    pub fn point_scenario(&self, p: usize) -> Result<Scenario> {
        let mut tree = self.base_tree.clone();
        for (path, value) in self.paths.iter().zip(self.plan.point_values(p)) {
            path.set(&mut tree, value)
                .expect("paths were resolved against this tree");
        }
        let text = toml::to_string(&tree).expect("a TOML tree serialises");
        let scenario =
            Scenario::from_toml(&text, &self.base_source, &self.base_dir, &self.base_stem)
                .and_then(|s| {
                    s.with_overrides(Some(self.plan.runs), Some(self.plan.point_seed(p)))
                });
        scenario.map_err(|e| {
            let message = match e {
                // A parse error's excerpt would show the text commsim
                // generated for the point, not anything the user wrote:
                // keep only its last line, which names the problem.
                Error::Scenario { message, .. } if message.starts_with("TOML parse error") => {
                    message
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                }
                Error::Scenario { message, .. } => message,
                other => other.to_string(),
            };
            Error::Scenario {
                path: self.file.clone(),
                message: format!(
                    "point {p} ({}) of base scenario {}: {message}",
                    self.plan.describe_point(p),
                    self.base_source.display()
                ),
            }
        })
    }
}

/// Morris grid levels when the sweep file sets none.
pub const DEFAULT_LEVELS: u64 = 4;

/// Checks that the design-wide fields suit the design.
fn check_design_fields(s: &SweepFile) -> std::result::Result<(), String> {
    let d = s.design.name();
    let not_for = |field: &str, needs: &str| {
        Err(format!(
            "field `{field}` is not used by the {d} design (it belongs to {needs}); remove it"
        ))
    };
    match s.design {
        DesignKind::Grid | DesignKind::List => {
            if s.samples.is_some() {
                return not_for("samples", "the lhs and saltelli designs");
            }
        }
        DesignKind::Lhs | DesignKind::Saltelli => {
            let least = if s.design == DesignKind::Lhs { 1 } else { 2 };
            match s.samples {
                None => {
                    return Err(format!(
                        "the {d} design needs `samples`: the number of {}",
                        if s.design == DesignKind::Lhs {
                            "points"
                        } else {
                            "base samples N (the sweep then has N × (parameters + 2) points)"
                        }
                    ))
                }
                Some(n) if n < least => {
                    return Err(format!(
                    "field `samples` = {n} is out of range: the {d} design needs at least {least}"
                ))
                }
                _ => {}
            }
        }
        DesignKind::Morris => {
            if s.samples.is_some() {
                return not_for("samples", "the lhs and saltelli designs");
            }
            match s.trajectories {
                None => return Err("the morris design needs `trajectories`: the number of one-at-a-time paths r (the sweep then has r × (parameters + 1) points; 10 to 50 is usual)".into()),
                Some(r) if r < 2 => return Err(format!("field `trajectories` = {r} is out of range: at least 2 are needed to estimate σ")),
                _ => {}
            }
            if let Some(l) = s.levels {
                if l < 2 || l % 2 == 1 || l > 1000 {
                    return Err(format!(
                        "field `levels` = {l} is out of range: allowed an even number from 2 to 1000 (4 is usual)"
                    ));
                }
            }
        }
    }
    if s.design != DesignKind::Morris {
        if s.trajectories.is_some() {
            return not_for("trajectories", "the morris design");
        }
        if s.levels.is_some() {
            return not_for("levels", "the morris design");
        }
    }
    Ok(())
}

/// Converts a value written for a field to the field's type: whole numbers
/// for integer fields (5.0 becomes 5; 5.5 is refused), numbers for real
/// fields, and the same kind for everything else.
pub fn coerce(
    name: &str,
    existing: &toml::Value,
    v: &toml::Value,
) -> std::result::Result<toml::Value, String> {
    use toml::Value as V;
    let mismatch = || {
        Err(format!(
            "{name}: the field holds {} ({} in the base scenario), but the value {} is {}",
            kind_name(existing),
            inline(existing),
            inline(v),
            kind_name(v)
        ))
    };
    Ok(match (existing, v) {
        (V::Integer(_), V::Integer(_)) => v.clone(),
        (V::Integer(_), V::Float(f)) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                V::Integer(*f as i64)
            } else {
                return Err(format!(
                    "{name}: the field takes whole numbers, but a value is {}; commsim does not round values you write",
                    inline(v)
                ));
            }
        }
        (V::Float(_), V::Integer(i)) => V::Float(*i as f64),
        // Amounts that may be unlimited (operator.funds, hours_per_week)
        // are written "unlimited" or as a number.
        (V::String(s), V::Integer(i)) if s == "unlimited" => V::Float(*i as f64),
        (V::String(s), V::Float(_)) if s == "unlimited" => v.clone(),
        (V::Float(_) | V::Integer(_), V::String(t)) if t == "unlimited" => v.clone(),
        (V::Float(_), V::Float(_))
        | (V::String(_), V::String(_))
        | (V::Boolean(_), V::Boolean(_))
        | (V::Array(_), V::Array(_))
        | (V::Table(_), V::Table(_)) => v.clone(),
        _ => return mismatch(),
    })
}

/// The values of a grid or list parameter: `values`, or `from`/`to`/`steps`.
fn param_values(
    name: &str,
    p: &ParamFile,
    existing: &toml::Value,
    kind: DesignKind,
) -> std::result::Result<Vec<toml::Value>, String> {
    if p.min.is_some() || p.max.is_some() {
        return Err(format!(
            "{name}: `min` and `max` are for the lhs, saltelli and morris designs; a {} design takes `values = [...]` or `from`, `to` and `steps`",
            kind.name()
        ));
    }
    let range = [p.from.is_some(), p.to.is_some(), p.steps.is_some()];
    match (&p.values, range) {
        (Some(_), r) if r.iter().any(|&b| b) => Err(format!(
            "{name}: give either `values` or `from`/`to`/`steps`, not both"
        )),
        (Some(values), _) => {
            if values.is_empty() {
                return Err(format!("{name}: `values` is empty"));
            }
            values.iter().map(|v| coerce(name, existing, v)).collect()
        }
        (None, [true, true, true]) => {
            let (from, to, steps) = (p.from.unwrap(), p.to.unwrap(), p.steps.unwrap());
            if !from.is_finite() || !to.is_finite() {
                return Err(format!("{name}: `from` and `to` must be finite numbers"));
            }
            if !(2..=MAX_POINTS).contains(&steps) {
                return Err(format!(
                    "{name}: `steps` = {steps} is out of range: it counts the values from `from` to `to`, both included, so it is at least 2 (for one value, write values = [{from}])"
                ));
            }
            let numeric = matches!(existing, toml::Value::Integer(_) | toml::Value::Float(_));
            if !numeric {
                return Err(format!(
                    "{name}: the field holds {} ({}), so it cannot take a range; list its values with `values = [...]`",
                    kind_name(existing),
                    inline(existing)
                ));
            }
            (0..steps)
                .map(|s| {
                    let t = s as f64 / (steps - 1) as f64;
                    let v = tidy(from * (1.0 - t) + to * t).clamp(from.min(to), from.max(to));
                    coerce(name, existing, &toml::Value::Float(v)).map_err(|_| {
                        format!(
                            "{name}: the field takes whole numbers, but from = {from} to = {to} in {steps} steps gives {v}; choose steps so that (to − from) / (steps − 1) is whole"
                        )
                    })
                })
                .collect()
        }
        (None, [false, false, false]) => Err(format!(
            "{name}: give its values, as `values = [...]` or as `from`, `to` and `steps`"
        )),
        (None, _) => Err(format!(
            "{name}: a range needs all three of `from`, `to` and `steps`"
        )),
    }
}

/// The range of a sampled parameter: (min, max, whether it is an integer).
fn check_range(
    name: &str,
    p: &ParamFile,
    existing: &toml::Value,
    kind: DesignKind,
) -> std::result::Result<(f64, f64, bool), String> {
    if p.values.is_some() || p.from.is_some() || p.to.is_some() || p.steps.is_some() {
        return Err(format!(
            "{name}: the {} design draws values between `min` and `max`; `values`, `from`, `to` and `steps` are for grid and list designs",
            kind.name()
        ));
    }
    let (Some(lo), Some(hi)) = (p.min, p.max) else {
        return Err(format!(
            "{name}: the {} design needs `min` and `max`",
            kind.name()
        ));
    };
    let integer = match existing {
        toml::Value::Integer(_) => true,
        toml::Value::Float(_) => false,
        other => {
            return Err(format!(
                "{name}: the field holds {} ({}), but the {} design draws numbers; use a grid or list design to vary it",
                kind_name(other),
                inline(other),
                kind.name()
            ))
        }
    };
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(format!(
            "{name}: `min` = {lo} must be less than `max` = {hi}, both finite"
        ));
    }
    if integer && (lo.fract() != 0.0 || hi.fract() != 0.0) {
        return Err(format!(
            "{name}: the field takes whole numbers, so `min` and `max` must be whole (got {lo} and {hi}); drawn values are rounded to the nearest whole number"
        ));
    }
    Ok((lo, hi, integer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_text_keeps_types() {
        for (v, text) in [
            (toml::Value::Float(5.0), "5.0"),
            (toml::Value::Float(0.1), "0.1"),
            (toml::Value::Float(f64::INFINITY), "inf"),
            (toml::Value::Integer(12), "12"),
            (toml::Value::String("off".into()), "\"off\""),
        ] {
            assert_eq!(value_text(&v), text);
            assert_eq!(parse_value(text).unwrap(), v);
        }
        assert_eq!(value_cell(&toml::Value::String("off".into())), "off");
        // Lists and tables are written inline, and read back the same.
        for text in [
            "[1, 2, 3]",
            "{ m = 3, model = \"barabasi-albert\" }",
            "{ days = [2, 5.0], \"odd key\" = true }",
        ] {
            let v = parse_value(text).unwrap();
            assert_eq!(parse_value(&value_text(&v)).unwrap(), v, "{text}");
        }
        assert_eq!(
            value_text(&parse_value("{ model = \"well-mixed\" }").unwrap()),
            "{ model = \"well-mixed\" }"
        );
    }

    #[test]
    fn tidy_removes_binary_noise() {
        assert_eq!(tidy(0.1 * 0.25 + 0.9 * 0.75), 0.7);
        assert_eq!(tidy(0.30000000000000004), 0.3);
        assert_eq!(tidy(0.0), 0.0);
        assert_eq!(tidy(123456.0), 123456.0);
    }

    #[test]
    fn plans_with_random_floats_read_back_with_the_same_hash() {
        // Regression: without serde_json's float_roundtrip, some doubles
        // (here, design coordinates) read back one ulp off, so plan.json
        // failed its own hash check.
        let mut rng = design::design_rng(1);
        let points = design::latin_hypercube(&mut rng, 2000, 3)
            .into_iter()
            .map(|u| PlanPoint {
                values: vec![],
                unit: Some(u),
            })
            .collect();
        let mut plan = Plan {
            commsim_version: "0".into(),
            plan_hash: String::new(),
            design: DesignKind::Lhs,
            samples: Some(2000),
            trajectories: None,
            levels: None,
            seed: 1,
            runs: 2,
            params: vec![],
            metrics: vec![],
            heatmap: None,
            daily_bands: false,
            base_scenario: String::new(),
            points,
        };
        plan.plan_hash = plan.compute_hash();
        let back = Plan::from_json(&plan.to_json(), Path::new("plan.json")).unwrap();
        assert_eq!(back, plan);
    }

    #[test]
    fn hash_changes_with_content() {
        let mut plan = Plan {
            commsim_version: "0".into(),
            plan_hash: String::new(),
            design: DesignKind::Grid,
            samples: None,
            trajectories: None,
            levels: None,
            seed: 1,
            runs: 2,
            params: vec![],
            metrics: vec![],
            heatmap: None,
            daily_bands: false,
            base_scenario: "days = 3\n".into(),
            points: vec![],
        };
        let a = plan.compute_hash();
        plan.seed = 2;
        assert_ne!(a, plan.compute_hash());
        plan.plan_hash = plan.compute_hash();
        let back = Plan::from_json(&plan.to_json(), Path::new("plan.json")).unwrap();
        assert_eq!(back, plan);
        let edited = plan.to_json().replace("\"runs\": 2", "\"runs\": 3");
        let e = Plan::from_json(&edited, Path::new("plan.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("edited or damaged"), "{e}");
    }
}
