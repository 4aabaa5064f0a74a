//! The JSON API of `commsim serve`: the shipped scenarios with their
//! sliders, one observed run (plus an optional Monte Carlo batch), and the
//! explain story with its levers.
//!
//! Everything here is plain functions from a request body to a JSON value
//! or a message for a 400, so tests can call them without a server. The
//! page is a view of the library: a slider sets a scenario field by its
//! sweep path ([`crate::sweep::path::FieldPath`]), with the sweep's type
//! rules ([`crate::sweep::plan::coerce`]), and the scenario is then checked
//! by [`Scenario::from_toml`] like any file. Runs go through
//! [`crate::batch`], so a run's numbers are those of `commsim run` with the
//! same scenario, value and seed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::batch::{self, BatchOptions};
use crate::model::{self, Params, CAUSES};
use crate::plot::marks;
use crate::rng::RunKey;
use crate::scenario::Scenario;
use crate::sweep::path::FieldPath;

/// A shipped scenario: its file name and text, compiled in.
pub struct Shipped {
    pub file: &'static str,
    pub text: &'static str,
}

macro_rules! shipped {
    ($($name:literal),* $(,)?) => {
        &[$(Shipped {
            file: $name,
            text: include_str!(concat!("../../scenarios/", $name)),
        }),*]
    };
}

/// The scenarios the page offers, in the order it lists them.
pub const SCENARIOS: &[Shipped] = shipped!(
    "default.toml",
    "no-operation.toml",
    "family-group.toml",
    "free-interest-group.toml",
    "kol-led.toml",
    "offline-community.toml",
    "paid-21-day-camp.toml",
    "camp-on-a-budget.toml",
    "giveaway-blitz.toml",
    "sales-push-group.toml",
    "brand-fan-group.toml",
    "multi-group-fission.toml",
);

/// A table a slider's field lives in, added when the scenario lacks it.
#[derive(Debug, Clone, Copy)]
enum Section {
    /// Always present in a resolved scenario.
    Always,
    /// An optional table (`[fee]`): added with its defaults when the slider
    /// moves away from `off`.
    Table(&'static str),
    /// An optional list of tables (`[[event]]`): one entry with its defaults.
    List(&'static str),
}

/// A slider: the scenario field it sets and its range.
struct SliderDef {
    id: &'static str,
    path: &'static str,
    section: Section,
    min: f64,
    max: f64,
    step: f64,
    /// The value that means "no such table" when the scenario has none.
    off: f64,
}

const SLIDERS: &[SliderDef] = &[
    SliderDef {
        id: "half_life",
        path: "interest.half_life",
        section: Section::Always,
        min: 0.5,
        max: 30.0,
        step: 0.5,
        off: f64::NAN,
    },
    SliderDef {
        id: "lesson_every",
        path: "content.schedule.every",
        section: Section::Always,
        min: 1.0,
        max: 30.0,
        step: 1.0,
        off: f64::NAN,
    },
    SliderDef {
        id: "lesson_quality",
        path: "content.quality",
        section: Section::Always,
        min: 0.0,
        max: 1.0,
        step: 0.05,
        off: f64::NAN,
    },
    SliderDef {
        id: "invite_rate",
        path: "invite.rate",
        section: Section::Always,
        min: 0.0,
        max: 0.3,
        step: 0.005,
        off: f64::NAN,
    },
    SliderDef {
        id: "fee",
        path: "fee.amount",
        section: Section::Table("fee"),
        min: 0.0,
        max: 500.0,
        step: 1.0,
        off: 0.0,
    },
    SliderDef {
        id: "meetup",
        path: "event[0].capacity",
        section: Section::List("event"),
        min: 0.0,
        max: 100.0,
        step: 1.0,
        off: 0.0,
    },
    SliderDef {
        id: "launch",
        path: "start.members",
        section: Section::Always,
        min: 1.0,
        max: 200.0,
        step: 1.0,
        off: f64::NAN,
    },
    SliderDef {
        id: "days",
        path: "days",
        section: Section::Always,
        min: 30.0,
        max: 365.0,
        step: 5.0,
        off: f64::NAN,
    },
];

/// Most runs one request may ask for.
pub const MAX_RUNS: u32 = 100;
/// Most people drawn in the live view (the first to join).
pub const MAX_PEOPLE: usize = 1500;
/// Most friendship lines drawn among them.
const MAX_FRIEND_EDGES: usize = 6000;

fn shipped(file: &str) -> Result<&'static Shipped, String> {
    SCENARIOS.iter().find(|s| s.file == file).ok_or_else(|| {
        let names: Vec<&str> = SCENARIOS.iter().map(|s| s.file).collect();
        format!(
            "unknown scenario `{file}`; the shipped scenarios are {}",
            names.join(", ")
        )
    })
}

fn load(s: &Shipped) -> Result<Scenario, String> {
    let stem = s.file.trim_end_matches(".toml");
    Scenario::from_toml(
        s.text,
        &Path::new("scenarios").join(s.file),
        Path::new("scenarios"),
        stem,
    )
    .map_err(|e| e.to_string())
}

fn tree_of(s: &Scenario) -> toml::Value {
    toml::from_str(&s.to_toml()).expect("a resolved scenario reads back")
}

/// The first comment line of a scenario file (its title).
fn title(text: &str) -> String {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix('#'))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// GET /api/scenarios: every shipped scenario, its description and sliders
/// (with the scenario's own value; `null` where the scenario has no such
/// table, or the value is infinite).
pub fn scenarios() -> Value {
    let list: Vec<Value> = SCENARIOS
        .iter()
        .map(|s| {
            let scenario = load(s).expect("shipped scenarios are valid (checked by a test)");
            let tree = tree_of(&scenario);
            let spec = scenario.spec();
            let sliders: Vec<Value> = SLIDERS
                .iter()
                .map(|d| {
                    let value = FieldPath::parse(d.path)
                        .ok()
                        .and_then(|p| p.get(&tree).ok().and_then(number))
                        .filter(|v| v.is_finite());
                    let max = value.map_or(d.max, |v| v.max(d.max));
                    json!({
                        "id": d.id,
                        "path": d.path,
                        "min": d.min,
                        "max": max,
                        "step": d.step,
                        "value": value,
                        "off": if d.off.is_nan() { Value::Null } else { json!(d.off) },
                    })
                })
                .collect();
            json!({
                "file": s.file,
                "name": spec.name,
                "title": title(s.text),
                "description": spec.description,
                "days": spec.days,
                "seed": spec.seed,
                "moderation": spec.moderation.is_some(),
                "sliders": sliders,
            })
        })
        .collect();
    json!({ "scenarios": list, "max_runs": MAX_RUNS })
}

/// The body of POST /api/run and POST /api/explain.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// A shipped scenario's file name, e.g. `default.toml`.
    pub scenario: String,
    /// Slider values by slider id.
    #[serde(default)]
    pub values: BTreeMap<String, f64>,
    /// Moderation on or off (default: as in the scenario).
    #[serde(default)]
    pub moderation: Option<bool>,
    /// Master seed (default: the scenario's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Runs (default 1 for a run, 20 for explain); at most [`MAX_RUNS`].
    #[serde(default)]
    pub runs: Option<u32>,
    /// A counterfactual lever of explain, by its label.
    #[serde(default)]
    pub lever: Option<String>,
}

/// Parses a request body, with a message for the user if it is wrong.
pub fn parse_request(body: &str) -> Result<RunRequest, String> {
    serde_json::from_str(body).map_err(|e| format!("bad request body: {e}"))
}

/// Adds an optional table with its defaults (an empty table filled in by
/// the scenario's own defaults).
fn add_section(tree: &mut toml::Value, section: Section) -> Result<(), String> {
    let t = tree.as_table_mut().expect("a scenario is a table");
    match section {
        Section::Always => {}
        Section::Table(k) => {
            t.entry(k)
                .or_insert_with(|| toml::Value::Table(Default::default()));
        }
        Section::List(k) => {
            let list = t.entry(k).or_insert_with(|| toml::Value::Array(Vec::new()));
            if let toml::Value::Array(a) = list {
                if a.is_empty() {
                    a.push(toml::Value::Table(Default::default()));
                }
            }
        }
    }
    // Fill the new table's defaults by reading the tree as a scenario.
    let text = toml::to_string(tree).map_err(|e| e.to_string())?;
    let s = Scenario::from_toml(&text, Path::new("page"), Path::new("scenarios"), "page")
        .map_err(|e| e.to_string())?;
    *tree = tree_of(&s);
    Ok(())
}

fn has_section(tree: &toml::Value, section: Section) -> bool {
    match section {
        Section::Always => true,
        Section::Table(k) | Section::List(k) => tree.get(k).is_some(),
    }
}

/// The scenario a request describes: the shipped file, its sliders' values
/// set by path, moderation switched, the seed and runs overridden and a
/// lever applied; checked like a scenario file.
pub fn build(req: &RunRequest, default_runs: u32) -> Result<Scenario, String> {
    let base = load(shipped(&req.scenario)?)?;
    let mut tree = tree_of(&base);
    for (id, &value) in &req.values {
        let def = SLIDERS.iter().find(|d| d.id == id).ok_or_else(|| {
            let ids: Vec<&str> = SLIDERS.iter().map(|d| d.id).collect();
            format!("unknown slider `{id}`; the sliders are {}", ids.join(", "))
        })?;
        if !value.is_finite() {
            return Err(format!("slider `{id}` needs a finite number"));
        }
        if let (Section::List(k), true) = (def.section, value == def.off) {
            // 0 meetups: no `[[event]]` at all (a capacity of 0 is out of
            // range, and "none" is what the slider says).
            tree.as_table_mut()
                .expect("a scenario is a table")
                .remove(k);
            continue;
        }
        if !has_section(&tree, def.section) {
            if value == def.off {
                continue;
            }
            add_section(&mut tree, def.section)?;
        }
        let path = FieldPath::parse(def.path).expect("slider paths parse");
        let existing = path.get(&tree)?.clone();
        let v = crate::sweep::plan::coerce(def.path, &existing, &toml::Value::Float(value))?;
        path.set(&mut tree, v)?;
    }
    if let Some(on) = req.moderation {
        let t = tree.as_table_mut().expect("a scenario is a table");
        if !on {
            t.remove("moderation");
        } else if !t.contains_key("moderation") {
            add_section(&mut tree, Section::Table("moderation"))?;
        }
    }
    let text = toml::to_string(&tree).map_err(|e| e.to_string())?;
    let source = Path::new("scenarios").join(&req.scenario);
    let stem = req.scenario.trim_end_matches(".toml");
    let runs = req.runs.unwrap_or(default_runs);
    if runs == 0 || runs > MAX_RUNS {
        return Err(format!("runs must be 1 to {MAX_RUNS}, not {runs}"));
    }
    let mut scenario = Scenario::from_toml(&text, &source, Path::new("scenarios"), stem)
        .and_then(|s| s.with_overrides(Some(runs), req.seed))
        .map_err(|e| e.to_string())?;
    if let Some(label) = &req.lever {
        let levers = crate::explain::counterfactuals(scenario.spec());
        let lever = levers.iter().find(|c| &c.label == label).ok_or_else(|| {
            let names: Vec<&str> = levers.iter().map(|c| c.label.as_str()).collect();
            format!(
                "unknown lever `{label}`; for this scenario they are {}",
                names.join(", ")
            )
        })?;
        scenario = scenario
            .modified(|f| (lever.edit)(f))
            .map_err(|e| e.to_string())?;
    }
    Ok(scenario)
}

/// Deterministic force-directed layout of `n` people joined by `edges`
/// (indices), starting near their inviters; positions in [0, 1]².
fn layout(n: usize, inviter: &[Option<usize>], edges: &[(usize, usize)]) -> Vec<(f64, f64)> {
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    let mut pos: Vec<(f64, f64)> = Vec::with_capacity(n);
    let mut roots = 0usize;
    for (i, parent) in inviter.iter().enumerate().take(n) {
        let p = match parent {
            Some(j) => {
                let (x, y) = pos[*j];
                let a = golden * i as f64;
                (x + 0.8 * a.cos(), y + 0.8 * a.sin())
            }
            None => {
                roots += 1;
                let r = (roots as f64).sqrt() * 1.2;
                let a = golden * roots as f64;
                (r * a.cos(), r * a.sin())
            }
        };
        pos.push(p);
    }
    let k = 1.0;
    for iter in 0..40 {
        let t = 0.5 * (1.0 - iter as f64 / 40.0) + 0.02;
        let mut force = vec![(0.0f64, 0.0f64); n];
        for i in 0..n {
            for j in (i + 1)..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d2 = (dx * dx + dy * dy).max(1e-4);
                if d2 > 36.0 {
                    continue;
                }
                let f = k * k / d2;
                force[i].0 += dx * f;
                force[i].1 += dy * f;
                force[j].0 -= dx * f;
                force[j].1 -= dy * f;
            }
        }
        for &(i, j) in edges {
            let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-3);
            let f = d / k;
            force[i].0 -= dx * f;
            force[i].1 -= dy * f;
            force[j].0 += dx * f;
            force[j].1 += dy * f;
        }
        for i in 0..n {
            // Gravity keeps separate trees on one screen.
            force[i].0 -= 0.05 * pos[i].0;
            force[i].1 -= 0.05 * pos[i].1;
            let (fx, fy) = force[i];
            let len = (fx * fx + fy * fy).sqrt();
            if len > 0.0 {
                let step = len.min(t);
                pos[i].0 += fx / len * step;
                pos[i].1 += fy / len * step;
            }
        }
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in &pos {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let span = (x1 - x0).max(y1 - y0).max(1e-9);
    let (cx, cy) = ((x1 - x0) / span, (y1 - y0) / span);
    pos.iter()
        .map(|&(x, y)| {
            (
                round4((x - x0) / span + (1.0 - cx) / 2.0),
                round4((y - y0) / span + (1.0 - cy) / 2.0),
            )
        })
        .collect()
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// POST /api/run: run 0 watched day by day, and with `runs` > 1 the batch's
/// bands of members and active members.
pub fn run(req: &RunRequest, threads: usize) -> Result<Value, String> {
    let scenario = build(req, 1)?;
    let (scenario, graph) = batch::prepare(scenario, threads).map_err(|e| e.to_string())?;
    let spec = scenario.spec().clone();
    let n = scenario.population_size().expect("prepared") as usize;
    let own_graph;
    let g = match &graph {
        Some(g) => g,
        None => {
            let seed = RunKey::new(spec.seed, 0).seed();
            own_graph =
                batch::build_graph(&spec.population.graph, n, seed).map_err(|e| e.to_string())?;
            &own_graph
        }
    };
    let params = Params::new(&scenario, n);
    // Keeping the referral list changes nothing in the run; it is only
    // dropped at the end when the scenario does not write referrals.csv.
    let watched = scenario
        .modified(|f| f.output.referrals = true)
        .map_err(|e| e.to_string())?;
    // People in order of joining; per day, each one's state code.
    let mut index: HashMap<u32, usize> = HashMap::new();
    let mut people: Vec<u32> = Vec::new();
    let mut joined_day: Vec<u32> = Vec::new();
    let mut states: Vec<String> = Vec::new();
    // Everyone who ever joined, drawn or not (beyond MAX_PEOPLE).
    let mut ever = vec![false; g.node_count()];
    let mut everyone = 0usize;
    let run0 = model::simulate_observed(&watched, &params, g, 0, |day, members| {
        let mut codes = vec![b'-'; people.len()];
        for &(id, st) in members {
            let i = match index.get(&id) {
                Some(&i) => i,
                None => {
                    if !std::mem::replace(&mut ever[id as usize], true) {
                        everyone += 1;
                    }
                    if people.len() >= MAX_PEOPLE {
                        continue;
                    }
                    index.insert(id, people.len());
                    people.push(id);
                    joined_day.push(day);
                    codes.push(b'-');
                    people.len() - 1
                }
            };
            codes[i] = st.code() as u8;
        }
        // Someone seen before and absent now has left.
        for (i, c) in codes.iter_mut().enumerate() {
            if *c == b'-' && joined_day[i] <= day {
                *c = b'x';
            }
        }
        states.push(String::from_utf8(codes).expect("ASCII codes"));
    });
    // Pad earlier days to the final number of people.
    for s in &mut states {
        while s.len() < people.len() {
            s.push('-');
        }
    }
    // Who invited whom, among the people drawn.
    let mut inviter: Vec<Option<usize>> = vec![None; people.len()];
    let label_index: HashMap<u64, usize> = people
        .iter()
        .enumerate()
        .map(|(i, &id)| (g.label(id), i))
        .collect();
    for r in &run0.referrals {
        let (a, b) = (r.inviter, r.invitee);
        if let (Some(&i), Some(&j)) = (label_index.get(&a), label_index.get(&b)) {
            if i < j {
                inviter[j] = Some(i);
            }
        }
    }
    let mut friend_edges: Vec<(usize, usize)> = Vec::new();
    for (i, &id) in people.iter().enumerate() {
        for &w in g.neighbors(id) {
            if let Some(&j) = index.get(&w) {
                if i < j && friend_edges.len() < MAX_FRIEND_EDGES {
                    friend_edges.push((i, j));
                }
            }
        }
    }
    let mut spring: Vec<(usize, usize)> = inviter
        .iter()
        .enumerate()
        .filter_map(|(j, p)| p.map(|i| (i, j)))
        .collect();
    spring.extend(friend_edges.iter().take(2 * people.len()).copied());
    let pos = layout(people.len(), &inviter, &spring);
    let people_json: Vec<Value> = people
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            json!({
                "id": g.label(id),
                "x": pos[i].0,
                "y": pos[i].1,
                "joined": joined_day[i],
                "via": inviter[i],
            })
        })
        .collect();
    let col = |f: fn(&model::DayRow) -> f64| -> Vec<f64> { run0.days.iter().map(f).collect() };
    // [cause, leavers per day], in the column order of daily.csv.
    let causes: Vec<(&str, Vec<u32>)> = CAUSES
        .iter()
        .enumerate()
        .map(|(k, c)| {
            (
                c.name(),
                run0.days.iter().map(|d| d.left_by_cause[k]).collect(),
            )
        })
        .collect();
    let marks: Vec<Value> = marks::strategy_days(&spec)
        .into_iter()
        .map(|(d, m)| json!({"day": d, "kind": m.name()}))
        .collect();
    let s = &run0.summary;
    let mut out = json!({
        "scenario": req.scenario,
        "name": spec.name,
        "description": spec.description,
        "seed": spec.seed,
        "days": spec.days,
        "runs": spec.runs,
        "population": n,
        "rows": {
            "members": col(|d| d.members as f64),
            "active": col(|d| d.active as f64),
            "silent": col(|d| d.silent as f64),
            "muted": col(|d| d.muted as f64),
            "joined": col(|d| d.joined as f64),
            "left": col(|d| d.left as f64),
            "referral_joins": col(|d| d.referral_joins as f64),
            "channel_joins": col(|d| d.channel_joins as f64),
        },
        "left_by_cause": causes,
        "summary": {
            "peak_members": s.peak_members,
            "peak_day": s.peak_day,
            "peak_active": s.peak_active,
            "lifetime_days": s.lifetime_days,
            "alive_at_end": s.alive_at_end,
            "final_members": s.final_members,
            "final_active": s.final_active,
            "total_joined": s.total_joined,
            "total_left": s.total_left,
            "referral_share": round2(s.referral_share * 100.0) / 100.0,
        },
        "marks": marks,
        "people": people_json,
        "people_total": everyone,
        "friend_edges": friend_edges,
        "states": states,
        "levers": crate::explain::counterfactuals(&spec).iter().map(|c| c.label.clone()).collect::<Vec<_>>(),
        "scenario_toml": scenario.to_toml(),
    });
    if spec.runs > 1 {
        let b = batch::run_batch(
            scenario,
            graph,
            BatchOptions {
                threads,
                progress: false,
            },
        )
        .map_err(|e| e.to_string())?;
        let mut bands: BTreeMap<&str, Vec<[f64; 5]>> = BTreeMap::new();
        for (_, name, band) in crate::output::bands(&b) {
            if name == "members" || name == "active" {
                bands
                    .entry(name)
                    .or_default()
                    .push([band.p5, band.p25, band.p50, band.p75, band.p95]);
            }
        }
        let mut left = [0u64; CAUSES.len()];
        for r in &b.runs {
            for d in &r.days {
                for (k, n) in d.left_by_cause.iter().enumerate() {
                    left[k] += *n as u64;
                }
            }
        }
        let by_cause: Vec<(&str, u64)> = CAUSES
            .iter()
            .zip(left)
            .map(|(c, n)| (c.name(), n))
            .collect();
        out["bands"] = json!(bands);
        out["batch_left_by_cause"] = json!(by_cause);
        let finals: Vec<u32> = b.runs.iter().map(|r| r.summary.final_members).collect();
        out["batch_final_members"] = json!(finals);
    }
    Ok(out)
}

/// POST /api/explain: explain's story in plain words and its levers, ranked
/// by days of lifetime gained.
pub fn explain(req: &RunRequest, threads: usize) -> Result<Value, String> {
    let scenario = build(req, 20)?;
    let e = crate::explain::analyse(&scenario, threads).map_err(|e| e.to_string())?;
    let story = crate::explain::narrative(&e);
    let levers: Vec<Value> = e
        .effects
        .iter()
        .map(|f| {
            json!({
                "label": f.label,
                "kind": f.kind,
                "lifetime_gain": round2(f.lifetime.mean),
                "active_gain": round2(f.active.mean),
            })
        })
        .collect();
    Ok(json!({ "story": story, "levers": levers, "runs": e.runs }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(scenario: &str) -> RunRequest {
        parse_request(&format!(r#"{{"scenario": "{scenario}"}}"#)).unwrap()
    }

    #[test]
    fn every_shipped_scenario_has_a_title_and_description() {
        let v = scenarios();
        let list = v["scenarios"].as_array().unwrap();
        assert_eq!(list.len(), SCENARIOS.len());
        for s in list {
            assert!(!s["title"].as_str().unwrap().is_empty(), "{s}");
            assert!(!s["description"].as_str().unwrap().is_empty(), "{s}");
            assert_eq!(s["sliders"].as_array().unwrap().len(), SLIDERS.len());
        }
    }

    #[test]
    fn a_slider_sets_its_field_by_path() {
        let mut r = req("default.toml");
        r.values.insert("half_life".into(), 9.5);
        r.values.insert("lesson_every".into(), 3.0);
        let s = build(&r, 1).unwrap();
        assert_eq!(s.spec().interest.half_life, 9.5);
        assert_eq!(s.spec().content.schedule.every, 3);
    }

    #[test]
    fn optional_tables_are_added_only_when_a_slider_turns_them_on() {
        let mut r = req("default.toml");
        r.values.insert("fee".into(), 0.0);
        assert!(build(&r, 1).unwrap().spec().fee.is_none());
        r.values.insert("fee".into(), 49.0);
        r.values.insert("meetup".into(), 12.0);
        let s = build(&r, 1).unwrap();
        assert_eq!(s.spec().fee.as_ref().unwrap().amount, 49.0);
        assert_eq!(s.spec().events[0].capacity, 12);
        r.moderation = Some(true);
        assert!(build(&r, 1).unwrap().spec().moderation.is_some());
        // Meetups at 0 remove a scenario's events.
        let mut r = req("offline-community.toml");
        assert_eq!(build(&r, 1).unwrap().spec().events.len(), 1);
        r.values.insert("meetup".into(), 0.0);
        assert!(build(&r, 1).unwrap().spec().events.is_empty());
    }

    #[test]
    fn bad_requests_get_messages() {
        assert!(parse_request("{").unwrap_err().contains("bad request body"));
        assert!(parse_request(r#"{"scenario":"x","colour":1}"#)
            .unwrap_err()
            .contains("colour"));
        let e = build(&req("nope.toml"), 1).unwrap_err();
        assert!(e.contains("default.toml"), "{e}");
        let mut r = req("default.toml");
        r.values.insert("volume".into(), 1.0);
        assert!(build(&r, 1).unwrap_err().contains("half_life"));
        let mut r = req("default.toml");
        r.values.insert("lesson_every".into(), 2.5);
        assert!(build(&r, 1).unwrap_err().contains("whole numbers"));
        let mut r = req("default.toml");
        r.values.insert("lesson_quality".into(), 3.0);
        assert!(build(&r, 1).unwrap_err().contains("content.quality"));
        let mut r = req("default.toml");
        r.runs = Some(0);
        assert!(build(&r, 1).unwrap_err().contains("runs"));
        let mut r = req("default.toml");
        r.lever = Some("without magic".into());
        assert!(build(&r, 1).unwrap_err().contains("without lessons"));
    }

    #[test]
    fn the_run_is_the_library_run() {
        let mut r = req("default.toml");
        r.seed = Some(7);
        let v = run(&r, 1).unwrap();
        let s = build(&r, 1).unwrap();
        let (s, g) = batch::prepare(s, 1).unwrap();
        let b = batch::run_batch(
            s,
            g,
            BatchOptions {
                threads: 1,
                progress: false,
            },
        )
        .unwrap();
        let members: Vec<f64> = b.runs[0].days.iter().map(|d| d.members as f64).collect();
        assert_eq!(v["rows"]["members"], json!(members));
        let states = v["states"].as_array().unwrap();
        assert_eq!(states.len(), members.len());
        // The drawn members on each day add up to the day's members (all of
        // them fit in the view for the default scenario).
        assert_eq!(v["people_total"], v["summary"]["total_joined"]);
        let all_drawn = v["people_total"].as_u64().unwrap() as usize <= MAX_PEOPLE;
        for (d, s) in states.iter().enumerate() {
            let n = s
                .as_str()
                .unwrap()
                .bytes()
                .filter(|c| b"asm".contains(c))
                .count();
            if all_drawn {
                assert_eq!(n as f64, members[d], "day {d}");
            } else {
                assert!(n as f64 <= members[d], "day {d}");
            }
        }
    }

    #[test]
    fn a_large_group_draws_its_first_joiners_and_counts_everyone() {
        let v = run(&req("multi-group-fission.toml"), 2).unwrap();
        let joined = v["summary"]["total_joined"].as_u64().unwrap();
        assert!(joined as usize > MAX_PEOPLE, "{joined}");
        assert_eq!(v["people_total"].as_u64(), Some(joined));
        assert_eq!(v["people"].as_array().unwrap().len(), MAX_PEOPLE);
        for s in v["states"].as_array().unwrap() {
            assert_eq!(s.as_str().unwrap().len(), MAX_PEOPLE);
        }
    }
}
