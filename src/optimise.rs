//! `commsim optimise`: how to spend a fixed budget across the levers.
//!
//! Every candidate is the scenario with `operator.funds` set to the budget
//! and one *allocation* applied: an intensity level per lever searched
//! (which levers run, how often and how strongly) and which of the levers
//! that run gets the money first (`operator.priority`). The levels and the
//! scenario edits they make are [`levels`] and [`apply`]; docs/optimise.md
//! lists them.
//!
//! The search is successive halving with common random numbers: every
//! candidate runs with the same seed and the same run indices 0, 1, …, so
//! run r of two candidates differs only by the allocation (src/rng.rs), and
//! a candidate kept for the next round only simulates the runs it has not
//! run yet. Round 0 runs every candidate (or a seeded random sample of
//! them) `--runs` times; each round keeps the best third (rounded up) by the
//! objective's mean and triples the runs, until one candidate remains or the
//! next round would pass `--max-runs` simulated runs (then the survivors get
//! as many more runs as the budget leaves, and the best mean wins). The
//! winner is then compared with the scenario as given (at the same funds)
//! over the winner's runs, as paired differences.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::batch;
use crate::compare::{csv_field, Metric};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::model::{self, Params, RunOutput};
use crate::output;
use crate::rng::{mix, RunKey};
use crate::scenario::{Event, Lever, Reward, Scenario, ScenarioFile, Schedule};
use crate::stats::{mean_sd, Interval};

/// Runs per candidate in the first round, when `--runs` is not given.
pub const DEFAULT_FIRST_RUNS: u32 = 4;
/// Simulated runs the search may use, when `--max-runs` is not given.
pub const DEFAULT_MAX_RUNS: u32 = 5000;
/// Candidates in the first round at most, when `--candidates` is not given;
/// a larger allocation space is sampled.
pub const DEFAULT_CANDIDATES: u32 = 100;
/// Each round keeps 1/KEEP of the candidates (rounded up) and multiplies
/// their runs by KEEP.
pub const KEEP: usize = 3;

/// Options of `commsim optimise`, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct OptimiseOptions {
    pub scenario: PathBuf,
    /// `--budget`, as written (checked here).
    pub budget: String,
    /// `--levers`, as written (empty: the levers present in the scenario).
    pub levers: Vec<String>,
    /// `--objective`, as written (None: active members on the last day).
    pub objective: Option<String>,
    /// Runs per candidate in the first round.
    pub runs: Option<u32>,
    /// Most runs simulated by the search.
    pub max_runs: Option<u32>,
    /// Most candidates in the first round.
    pub candidates: Option<u32>,
    pub seed: Option<u64>,
    pub threads: usize,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub quiet: bool,
}

/// What the search maximises.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// Mean active members on a day (None: the scenario's last day).
    Active(Option<u32>),
    /// Share of runs that are self-sustaining.
    SelfSustaining,
    /// Mean revenue over the run.
    Revenue,
}

impl Objective {
    /// Reads `--objective`.
    pub fn parse(text: &str) -> Result<Objective> {
        let t = text.trim();
        let bad = || {
            Error::Usage(format!(
                "--objective {text}: unknown objective; allowed: active@N (mean active members on day N), active (on the last day), self-sustaining (share of runs) or revenue"
            ))
        };
        match t {
            "active" => Ok(Objective::Active(None)),
            "self-sustaining" => Ok(Objective::SelfSustaining),
            "revenue" => Ok(Objective::Revenue),
            _ => {
                let day = t.strip_prefix("active@").ok_or_else(bad)?;
                let day: u32 = day.parse().map_err(|_| {
                    Error::Usage(format!(
                        "--objective {text}: the day after active@ must be a whole number from 0 up, e.g. active@60"
                    ))
                })?;
                Ok(Objective::Active(Some(day)))
            }
        }
    }

    /// The objective with its day filled in and checked against `days`.
    fn resolve(self, days: u32) -> Result<Objective> {
        match self {
            Objective::Active(None) => Ok(Objective::Active(Some(days))),
            Objective::Active(Some(d)) if d > days => Err(Error::Usage(format!(
                "--objective active@{d}: the scenario simulates days 0 to {days}; choose a day up to {days}"
            ))),
            o => Ok(o),
        }
    }

    /// The objective's value in one run.
    pub fn of(&self, r: &RunOutput) -> f64 {
        match self {
            Objective::Active(d) => Metric::ActiveAt(d.unwrap_or(0)).of(r),
            Objective::SelfSustaining => f64::from(u8::from(r.summary.self_sustaining)),
            Objective::Revenue => r.summary.revenue,
        }
    }

    /// How a difference of the objective reads ("active at day 60").
    pub fn phrase(&self) -> String {
        match self {
            Objective::Active(d) => format!("active at day {}", d.unwrap_or(0)),
            Objective::SelfSustaining => "share of runs self-sustaining".into(),
            Objective::Revenue => "revenue".into(),
        }
    }

    /// The objective as written on the command line.
    pub fn name(&self) -> String {
        match self {
            Objective::Active(d) => format!("active@{}", d.unwrap_or(0)),
            Objective::SelfSustaining => "self-sustaining".into(),
            Objective::Revenue => "revenue".into(),
        }
    }
}

/// Reads `--budget`: an amount of money, a finite number from 0 up.
pub fn parse_budget(text: &str) -> Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(b) if b.is_finite() && b >= 0.0 => Ok(b),
        _ => Err(Error::Usage(format!(
            "--budget {text}: allowed an amount of money, a number from 0 up (e.g. --budget 5000); optimise spends a fixed budget, so \"unlimited\" is not allowed"
        ))),
    }
}

/// Reads `--levers`: lever names as scenario files write them.
pub fn parse_levers(names: &[String]) -> Result<Vec<Lever>> {
    let allowed = || {
        Lever::ALL
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for n in names {
        let n = n.trim();
        let Some(l) = Lever::ALL.iter().copied().find(|l| l.name() == n) else {
            return Err(Error::Usage(format!(
                "--levers: unknown lever `{n}`; allowed: {}",
                allowed()
            )));
        };
        if out.contains(&l) {
            return Err(Error::Usage(format!(
                "--levers lists `{n}` twice: list each lever at most once"
            )));
        }
        out.push(l);
    }
    Ok(out)
}

/// The levers a scenario uses: a strategy section that is there (content
/// when enabled; channels only when some channel costs money per join).
pub fn present_levers(s: &ScenarioFile) -> Vec<Lever> {
    Lever::ALL
        .into_iter()
        .filter(|l| match l {
            Lever::Content => s.content.enabled,
            Lever::Guests => s.guests.is_some(),
            Lever::Service => s.service.is_some(),
            Lever::Event => !s.events.is_empty(),
            Lever::Rituals => s.rituals.is_some(),
            Lever::Moderation => s.moderation.is_some(),
            Lever::Kol => s.kol.is_some(),
            Lever::Reward => !s.rewards.is_empty(),
            Lever::ReferralReward => s.referral_reward.is_some(),
            Lever::Giveaway => !s.giveaways.is_empty(),
            Lever::Channel => s.channels.iter().any(|c| c.cost_per_join > 0.0),
            Lever::Selling => s.selling.is_some(),
        })
        .collect()
}

/// One intensity level of a lever.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    /// The lever does not run.
    Off,
    /// As the scenario gives it (or its section's defaults).
    On,
    /// Every k days from day 1.
    Every(u32),
    /// A count: events over the run, or KOLs.
    Count(u32),
    /// The scenario's amount times this factor: service's answer rate,
    /// reward budgets, the referral reward, channels' reach.
    Scale(f64),
}

/// The intensity levels searched for each lever, weakest first ("off"
/// first). docs/optimise.md lists them.
pub fn levels(l: Lever) -> Vec<Level> {
    use Level::*;
    match l {
        Lever::Content => vec![Off, Every(14), Every(7), Every(3), Every(1)],
        Lever::Guests => vec![Off, Every(14), Every(7)],
        Lever::Service => vec![Off, Scale(0.5), Scale(1.0)],
        Lever::Event => vec![Off, Count(1), Count(2), Count(3)],
        Lever::Rituals | Lever::Moderation | Lever::Giveaway => vec![Off, On],
        Lever::Kol => vec![Off, Count(1), Count(3), Count(5)],
        Lever::Reward | Lever::ReferralReward => vec![Off, Scale(0.5), Scale(1.0), Scale(2.0)],
        Lever::Channel => vec![Off, Scale(0.5), Scale(1.0)],
        Lever::Selling => vec![Off, Every(14), Every(7)],
    }
}

/// A candidate: one level index per lever searched, and the lever that is
/// paid first (None when fewer than two levers run).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Allocation {
    pub levels: Vec<usize>,
    pub first: Option<Lever>,
}

/// The search space: the levers searched and the scenario they start from.
pub struct Space {
    pub levers: Vec<Lever>,
    base: ScenarioFile,
}

impl Space {
    /// Levers searched over `base` (funds already set to the budget).
    pub fn new(base: &ScenarioFile, levers: Vec<Lever>) -> Result<Space> {
        if let Some(l) = levers.iter().find(|&&l| l == Lever::Channel) {
            if base.channels.is_empty() {
                return Err(Error::Usage(format!(
                    "--levers {}: the scenario has no [[channel]] to scale; add one, or leave {} out",
                    l.name(),
                    l.name()
                )));
            }
        }
        Ok(Space {
            levers,
            base: base.clone(),
        })
    }

    /// Levers that run under an allocation, in the order searched.
    fn active(&self, levels: &[usize]) -> Vec<Lever> {
        self.levers
            .iter()
            .zip(levels)
            .filter(|(_, &i)| i > 0)
            .map(|(&l, _)| l)
            .collect()
    }

    /// Number of allocations: every combination of levels, times the choice
    /// of the lever paid first when two or more run.
    pub fn size(&self) -> u128 {
        // by_active[k]: level combinations with k levers running.
        let mut by_active: Vec<u128> = vec![1];
        for &l in &self.levers {
            let on = levels(l).len() as u128 - 1;
            let mut next = vec![0u128; by_active.len() + 1];
            for (k, &c) in by_active.iter().enumerate() {
                next[k] = next[k].saturating_add(c);
                next[k + 1] = next[k + 1].saturating_add(c.saturating_mul(on));
            }
            by_active = next;
        }
        by_active
            .iter()
            .enumerate()
            .map(|(k, &c)| c.saturating_mul(if k >= 2 { k as u128 } else { 1 }))
            .fold(0u128, |a, b| a.saturating_add(b))
    }

    fn combos(&self) -> u128 {
        self.levers
            .iter()
            .map(|&l| levels(l).len() as u128)
            .fold(1u128, |a, b| a.saturating_mul(b))
    }

    fn combo(&self, mut index: u128) -> Vec<usize> {
        self.levers
            .iter()
            .map(|&l| {
                let n = levels(l).len() as u128;
                let i = (index % n) as usize;
                index /= n;
                i
            })
            .collect()
    }

    fn with_firsts(&self, levels: Vec<usize>) -> Vec<Allocation> {
        let active = self.active(&levels);
        if active.len() < 2 {
            return vec![Allocation {
                levels,
                first: None,
            }];
        }
        active
            .into_iter()
            .map(|f| Allocation {
                levels: levels.clone(),
                first: Some(f),
            })
            .collect()
    }

    /// Every allocation when there are at most `cap`; otherwise `cap`
    /// distinct ones drawn at random with `seed`.
    pub fn candidates(&self, cap: usize, seed: u64) -> Vec<Allocation> {
        if self.size() <= cap as u128 {
            return (0..self.combos())
                .flat_map(|i| self.with_firsts(self.combo(i)))
                .collect();
        }
        let mut state = mix(seed ^ 0x6f70_7469_6d69_7365);
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix(state)
        };
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        while out.len() < cap {
            let hi = u128::from(next()) << 64 | u128::from(next());
            let levels = self.combo(hi % self.combos());
            let options = self.with_firsts(levels);
            let pick = options[(next() % options.len() as u64) as usize].clone();
            if seen.insert(pick.clone()) {
                out.push(pick);
            }
        }
        out
    }

    /// The allocation in words: "lessons every 3 days + service answering
    /// 0.80, lessons paid first".
    pub fn describe(&self, a: &Allocation) -> String {
        let parts: Vec<String> = self
            .levers
            .iter()
            .zip(&a.levels)
            .filter(|(_, &i)| i > 0)
            .map(|(&l, &i)| self.describe_level(l, levels(l)[i]))
            .collect();
        if parts.is_empty() {
            return "every searched lever off".into();
        }
        let mut s = parts.join(" + ");
        if let Some(f) = a.first {
            s.push_str(&format!(", {} paid first", label(f)));
        }
        s
    }

    fn describe_level(&self, l: Lever, level: Level) -> String {
        let b = &self.base;
        match (l, level) {
            (_, Level::Off) => format!("{} off", label(l)),
            (Lever::Event, Level::Count(k)) => {
                format!("{k} event{}", if k == 1 { "" } else { "s" })
            }
            (Lever::Kol, Level::Count(k)) => format!("{k} KOL{}", if k == 1 { "" } else { "s" }),
            (_, Level::Every(1)) => format!("{} daily", label(l)),
            (_, Level::Every(k)) => format!("{} every {k} days", label(l)),
            (Lever::Service, Level::Scale(f)) => format!(
                "service answering {:.2}",
                (f * b.service.clone().unwrap_or_default().answer).min(1.0)
            ),
            (Lever::Reward, Level::Scale(f)) => {
                let r = b.rewards.first().cloned().unwrap_or_default();
                format!("rewards of {} per reward day", output::fmt6(f * r.budget))
            }
            (Lever::ReferralReward, Level::Scale(f)) => format!(
                "referral reward of {} per join",
                output::fmt6(f * b.referral_reward.clone().unwrap_or_default().amount)
            ),
            (Lever::Channel, Level::Scale(f)) => format!("channels at {f}x reach"),
            _ => label(l).to_string(),
        }
    }

    /// The scenario of an allocation.
    pub fn apply(&self, a: &Allocation) -> ScenarioFile {
        let mut s = self.base.clone();
        for (&l, &i) in self.levers.iter().zip(&a.levels) {
            apply(&mut s, l, levels(l)[i]);
        }
        // The levers that run are paid first, `first` before the others;
        // then every other lever in the scenario's own order.
        let running = self.active(&a.levels);
        let mut order: Vec<Lever> = a.first.into_iter().collect();
        for l in s.operator.order() {
            if running.contains(&l) && !order.contains(&l) {
                order.push(l);
            }
        }
        for l in s.operator.order() {
            if !order.contains(&l) {
                order.push(l);
            }
        }
        s.operator.priority = order;
        s
    }
}

/// How a lever reads in descriptions.
fn label(l: Lever) -> &'static str {
    match l {
        Lever::Content => "lessons",
        Lever::Guests => "guest talks",
        Lever::Service => "service",
        Lever::Event => "events",
        Lever::Rituals => "rituals",
        Lever::Moderation => "moderation",
        Lever::Kol => "KOLs",
        Lever::Reward => "rewards",
        Lever::ReferralReward => "referral reward",
        Lever::Giveaway => "giveaways",
        Lever::Channel => "channels",
        Lever::Selling => "product pushes",
    }
}

fn from_day_one(every: u32) -> Schedule {
    Schedule::every(1, every)
}

/// Applies one lever's level to a scenario. A lever whose section is absent
/// starts from the section's defaults (docs/scenario.md).
pub fn apply(s: &mut ScenarioFile, l: Lever, level: Level) {
    let days = s.days;
    match (l, level) {
        (Lever::Content, Level::Off) => s.content.enabled = false,
        (Lever::Content, Level::Every(k)) => {
            s.content.enabled = true;
            s.content.schedule = from_day_one(k);
        }
        (Lever::Guests, Level::Off) => s.guests = None,
        (Lever::Guests, Level::Every(k)) => {
            let mut g = s.guests.take().unwrap_or_default();
            g.schedule = from_day_one(k);
            s.guests = Some(g);
        }
        (Lever::Service, Level::Off) => s.service = None,
        (Lever::Service, Level::Scale(f)) => {
            let mut v = s.service.take().unwrap_or_default();
            v.answer = (v.answer * f).min(1.0);
            s.service = Some(v);
        }
        (Lever::Event, Level::Off) => s.events.clear(),
        (Lever::Event, Level::Count(k)) => {
            // One event section, held k times, evenly spread over the run.
            let mut e = s.events.first().cloned().unwrap_or_else(Event::default);
            let mut on: Vec<u32> = (1..=k)
                .map(|j| ((j as u64 * days as u64) / (k as u64 + 1)).max(1) as u32)
                .collect();
            on.dedup();
            let mut schedule = Schedule::default();
            schedule.days = on;
            e.schedule = schedule;
            s.events = vec![e];
        }
        (Lever::Rituals, Level::Off) => s.rituals = None,
        (Lever::Rituals, _) => s.rituals = Some(s.rituals.take().unwrap_or_default()),
        (Lever::Moderation, Level::Off) => s.moderation = None,
        (Lever::Moderation, _) => s.moderation = Some(s.moderation.take().unwrap_or_default()),
        (Lever::Kol, Level::Off) => s.kol = None,
        (Lever::Kol, Level::Count(k)) => {
            let mut x = s.kol.take().unwrap_or_default();
            x.count = k;
            s.kol = Some(x);
        }
        (Lever::Reward, Level::Off) => s.rewards.clear(),
        (Lever::Reward, Level::Scale(f)) => {
            if s.rewards.is_empty() {
                s.rewards.push(Reward::default());
            }
            for r in &mut s.rewards {
                r.budget *= f;
            }
        }
        (Lever::ReferralReward, Level::Off) => s.referral_reward = None,
        (Lever::ReferralReward, Level::Scale(f)) => {
            let mut r = s.referral_reward.take().unwrap_or_default();
            r.amount *= f;
            s.referral_reward = Some(r);
        }
        (Lever::Giveaway, Level::Off) => s.giveaways.clear(),
        (Lever::Giveaway, _) if s.giveaways.is_empty() => s.giveaways.push(Default::default()),
        (Lever::Channel, Level::Off) => s.channels.clear(),
        (Lever::Channel, Level::Scale(f)) => {
            for c in &mut s.channels {
                c.daily *= f;
                c.rate *= f;
            }
        }
        (Lever::Selling, Level::Off) => s.selling = None,
        (Lever::Selling, Level::Every(k)) => {
            let mut x = s.selling.take().unwrap_or_default();
            x.schedule = from_day_one(k);
            s.selling = Some(x);
        }
        // Levels that a lever does not have leave it as given.
        _ => {}
    }
}

/// One row of history.csv.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub round: u32,
    pub candidate: usize,
    pub allocation: String,
    pub runs: u32,
    pub mean: f64,
    pub se: f64,
    pub kept: bool,
}

/// What the search found.
pub struct Outcome {
    pub objective: Objective,
    pub budget: f64,
    pub seed: u64,
    pub space_size: u128,
    pub candidates: usize,
    pub rounds: u32,
    pub runs_simulated: u64,
    pub history: Vec<Evaluation>,
    pub best: Allocation,
    pub best_text: String,
    pub best_scenario: ScenarioFile,
    /// The winner's per-run objective and the scenario as given (same runs).
    pub best_mean: f64,
    pub given_mean: f64,
    pub diff: Interval,
    pub compared_runs: u32,
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    let (m, sd) = mean_sd(v);
    (m, sd / (v.len() as f64).sqrt())
}

/// Simulates runs `from..to` of each scenario; returns the objective per run.
fn simulate_runs(
    jobs: &[(&Scenario, u32, u32)],
    graph: Option<&Graph>,
    objective: Objective,
    pool: &rayon::ThreadPool,
) -> Vec<Vec<f64>> {
    let prepared: Vec<(Params, &Scenario)> = jobs
        .iter()
        .map(|(s, _, _)| {
            let n = s.population_size().expect("prepared") as usize;
            (Params::new(s, n), *s)
        })
        .collect();
    let work: Vec<(usize, u32)> = jobs
        .iter()
        .enumerate()
        .flat_map(|(j, (_, from, to))| (*from..*to).map(move |r| (j, r)))
        .collect();
    // As in a batch: a run's days are split only while the runs do not
    // fill the threads (`model::simulate_split`).
    let split = work.len() <= pool.current_num_threads();
    let values: Vec<(usize, f64)> = pool.install(|| {
        work.par_iter()
            .map(|&(j, r)| {
                let (params, s) = &prepared[j];
                let out = match graph {
                    Some(g) => model::simulate_split(s, params, g, r, split),
                    None => {
                        let spec = s.spec();
                        let seed = RunKey::new(spec.seed, r as u64).seed();
                        let g = batch::build_graph(&spec.population.graph, params.n, seed)
                            .expect("generated graphs cannot fail");
                        model::simulate_split(s, params, &g, r, split)
                    }
                };
                (j, objective.of(&out))
            })
            .collect()
    });
    let mut out = vec![Vec::new(); jobs.len()];
    for (j, v) in values {
        out[j].push(v);
    }
    out
}

/// Checks every flag and loads the scenario: all before any output.
struct Plan {
    space: Space,
    given: Scenario,
    objective: Objective,
    first_runs: u32,
    max_runs: u32,
    candidates: Vec<Allocation>,
    seed: u64,
    budget: f64,
}

fn plan(opts: &OptimiseOptions) -> Result<Plan> {
    let budget = parse_budget(&opts.budget)?;
    let objective = match &opts.objective {
        Some(o) => Objective::parse(o)?,
        None => Objective::Active(None),
    };
    let levers = parse_levers(&opts.levers)?;
    let max_runs = opts.max_runs.unwrap_or(DEFAULT_MAX_RUNS);
    if max_runs == 0 {
        return Err(Error::Usage(
            "--max-runs 0: allowed a whole number of runs from 1 up (the search's total)".into(),
        ));
    }
    let first_runs = opts.runs.unwrap_or(DEFAULT_FIRST_RUNS);
    if !(2..=1_000_000).contains(&first_runs) {
        return Err(Error::Usage(format!(
            "--runs {first_runs}: allowed 2 to 1,000,000 runs per candidate in the first round (two at least, for standard errors)"
        )));
    }
    let cap = opts.candidates.unwrap_or(DEFAULT_CANDIDATES);
    if !(1..=100_000).contains(&cap) {
        return Err(Error::Usage(format!(
            "--candidates {cap}: allowed 1 to 100,000 candidates in the first round"
        )));
    }
    let loaded = Scenario::load(&opts.scenario)?;
    let seed = opts.seed.unwrap_or(loaded.spec().seed);
    let objective = objective.resolve(loaded.spec().days)?;
    // The scenario as given, at the budget: the reference of the summary.
    let given = loaded
        .with_overrides(None, Some(seed))?
        .modified(|f| f.operator.funds = budget)?;
    let levers = if levers.is_empty() {
        present_levers(given.spec())
    } else {
        levers
    };
    if levers.is_empty() {
        return Err(Error::Usage(format!(
            "{}: the scenario uses no lever that costs money; name the levers to search with --levers (allowed: {})",
            opts.scenario.display(),
            Lever::ALL.map(|l| l.name()).join(", ")
        )));
    }
    let space = Space::new(given.spec(), levers)?;
    let candidates = space.candidates(cap as usize, seed);
    let need = candidates.len() as u64 * first_runs as u64;
    if need > max_runs as u64 {
        return Err(Error::Usage(format!(
            "--max-runs {max_runs} is less than the first round needs: {} candidates x {first_runs} runs = {need}; raise --max-runs, or lower --runs or --candidates",
            candidates.len()
        )));
    }
    Ok(Plan {
        space,
        given,
        objective,
        first_runs,
        max_runs,
        candidates,
        seed,
        budget,
    })
}

/// Runs the search of a checked plan.
fn search(plan: &Plan, threads: usize, quiet: bool, log: &mut impl Write) -> Result<Outcome> {
    let (given, graph) = batch::prepare(plan.given.clone(), threads)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let scenarios: Vec<Scenario> = plan
        .candidates
        .iter()
        .map(|a| {
            let mut spec = plan.space.apply(a);
            // The population as prepared (a file graph's size filled in).
            spec.population = given.spec().population.clone();
            given.modified(|f| *f = spec)
        })
        .collect::<Result<_>>()?;
    let texts: Vec<String> = plan
        .candidates
        .iter()
        .map(|a| plan.space.describe(a))
        .collect();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); scenarios.len()];
    let mut alive: Vec<usize> = (0..scenarios.len()).collect();
    let mut history = Vec::new();
    let mut runs = plan.first_runs;
    let mut spent: u64 = 0;
    let mut round = 0u32;
    loop {
        let jobs: Vec<(&Scenario, u32, u32)> = alive
            .iter()
            .map(|&c| (&scenarios[c], values[c].len() as u32, runs))
            .collect();
        let new: u64 = jobs.iter().map(|j| (j.2 - j.1) as u64).sum();
        spent += new;
        let results = simulate_runs(&jobs, graph.as_ref(), plan.objective, &pool);
        for (&c, v) in alive.iter().zip(results) {
            values[c].extend(v);
        }
        let mut ranked = alive.clone();
        ranked.sort_by(|&a, &b| {
            mean_se(&values[b])
                .0
                .total_cmp(&mean_se(&values[a]).0)
                .then(a.cmp(&b))
        });
        let keep = ranked.len().div_ceil(KEEP);
        // Where the next round would pass the budget, the survivors get as
        // many more runs as it leaves; without any, the search ends.
        let next_runs = runs.saturating_mul(KEEP as u32);
        let left = plan.max_runs as u64 - spent;
        let affordable = (runs as u64 + left / keep as u64).min(next_runs as u64) as u32;
        let last = ranked.len() == 1 || affordable <= runs;
        for (rank, &c) in ranked.iter().enumerate() {
            let (mean, se) = mean_se(&values[c]);
            history.push(Evaluation {
                round,
                candidate: c,
                allocation: texts[c].clone(),
                runs,
                mean,
                se,
                kept: if last { rank == 0 } else { rank < keep },
            });
        }
        if !quiet {
            writeln!(
                log,
                "round {round}: {} candidate{} x {runs} runs; best so far: {} ({} {})",
                ranked.len(),
                if ranked.len() == 1 { "" } else { "s" },
                texts[ranked[0]],
                num(mean_se(&values[ranked[0]]).0),
                plan.objective.name()
            )
            .map_err(|e| Error::io("stdout", e))?;
        }
        if last {
            alive = vec![ranked[0]];
            break;
        }
        alive = ranked[..keep].to_vec();
        runs = affordable;
        round += 1;
    }
    let best = alive[0];
    let n = values[best].len() as u32;
    let base = simulate_runs(&[(&given, 0, n)], graph.as_ref(), plan.objective, &pool)
        .pop()
        .expect("one job");
    let diff = Interval::paired(&base, &values[best]);
    let mut best_scenario = scenarios[best].spec().clone();
    best_scenario.name = format!("{}-best", plan.given.spec().name);
    best_scenario.description = format!(
        "commsim optimise --budget {}: {}",
        output::fmt6(plan.budget),
        texts[best]
    );
    Ok(Outcome {
        objective: plan.objective,
        budget: plan.budget,
        seed: plan.seed,
        space_size: plan.space.size(),
        candidates: scenarios.len(),
        rounds: round + 1,
        runs_simulated: spent + n as u64,
        history,
        best: plan.candidates[best].clone(),
        best_text: texts[best].clone(),
        best_scenario,
        best_mean: mean_se(&values[best]).0,
        given_mean: mean_se(&base).0,
        diff,
        compared_runs: n,
    })
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

fn signed(x: f64) -> String {
    let s = num(x);
    if x >= 0.0 && x.is_finite() {
        format!("+{s}")
    } else {
        s
    }
}

/// The summary printed and written to summary.txt.
pub fn summary(o: &Outcome, dir: &Path) -> String {
    let d = &o.diff;
    let verdict = if d.excludes_zero() {
        if d.mean > 0.0 {
            "better than"
        } else {
            "worse than"
        }
    } else {
        "not clearly different from"
    };
    format!(
        "searched {} of {} allocations with common random numbers (seed {}), budget {}, objective {}: {} round{}, {} runs simulated\n\
         best: {}: {} {} (95% interval {} to {}) vs the scenario as given, over {} paired runs ({} against {}; {verdict} it)\n\
         results in {}\n",
        o.candidates,
        o.space_size,
        o.seed,
        output::fmt6(o.budget),
        o.objective.name(),
        o.rounds,
        if o.rounds == 1 { "" } else { "s" },
        o.runs_simulated,
        o.best_text,
        signed(d.mean),
        o.objective.phrase(),
        signed(d.lo),
        signed(d.hi),
        o.compared_runs,
        num(o.best_mean),
        num(o.given_mean),
        dir.display()
    )
}

fn history_csv(h: &[Evaluation]) -> String {
    let mut s = String::from("round,candidate,allocation,runs,mean,se,kept\n");
    for e in h {
        s.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            e.round,
            e.candidate,
            csv_field(&e.allocation),
            e.runs,
            output::fmt6(e.mean),
            output::fmt6(e.se),
            e.kept
        ));
    }
    s
}

/// `commsim optimise`.
pub fn optimise(opts: &OptimiseOptions, out: &mut impl Write) -> Result<(PathBuf, Outcome)> {
    let plan = plan(opts)?;
    let dir = opts.out.clone().unwrap_or_else(|| {
        PathBuf::from("outputs").join(format!("optimise-{}", plan.given.spec().name))
    });
    let target = output::claim(&dir, opts.force)?;
    let outcome = search(&plan, opts.threads, opts.quiet, out)?;
    let best = Scenario::from_toml(
        &toml::to_string(&outcome.best_scenario).expect("a checked scenario serialises"),
        Path::new("best.toml"),
        Path::new("."),
        "best",
    )?;
    best.check_round_trip()?;
    let text = summary(&outcome, &dir);
    // Every name written here is in output::OPTIMISE_FILES, so that a later
    // `--force` recognises the folder as commsim's own and replaces it.
    let [best_toml, history, summary_txt] = output::OPTIMISE_FILES;
    target.write(|staging| {
        output::write_text(&staging.join(best_toml), &best.to_toml())?;
        output::write_text(&staging.join(history), &history_csv(&outcome.history))?;
        output::write_text(&staging.join(summary_txt), &text)
    })?;
    if !opts.quiet {
        write!(out, "{text}").map_err(|e| Error::io("stdout", e))?;
    }
    Ok((dir, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_space_counts_every_allocation_it_enumerates() {
        let base = ScenarioFile::default();
        let space = Space::new(&base, vec![Lever::Content, Lever::Service, Lever::Kol]).unwrap();
        let all = space.candidates(usize::MAX, 1);
        assert_eq!(all.len() as u128, space.size());
        let distinct: std::collections::HashSet<_> = all.iter().cloned().collect();
        assert_eq!(distinct.len(), all.len());
        let sample = space.candidates(10, 3);
        assert_eq!(sample.len(), 10);
        assert_eq!(
            sample,
            space.candidates(10, 3),
            "the sample follows the seed"
        );
    }

    #[test]
    fn an_allocation_sets_levels_and_priority() {
        let base = ScenarioFile::default();
        let space = Space::new(&base, vec![Lever::Content, Lever::Reward]).unwrap();
        let a = Allocation {
            levels: vec![3, 2],
            first: Some(Lever::Reward),
        };
        let s = space.apply(&a);
        assert_eq!(s.content.schedule.every, 3);
        assert_eq!(s.rewards.len(), 1);
        assert_eq!(s.operator.priority[..2], [Lever::Reward, Lever::Content]);
        assert_eq!(s.operator.priority.len(), Lever::ALL.len());
        let off = space.apply(&Allocation {
            levels: vec![0, 0],
            first: None,
        });
        assert!(!off.content.enabled && off.rewards.is_empty());
    }

    #[test]
    fn bad_flags_are_refused_naming_the_flag() {
        for b in ["-1", "abc", "inf", "unlimited", "NaN"] {
            assert!(parse_budget(b)
                .unwrap_err()
                .to_string()
                .contains("--budget"));
        }
        assert_eq!(parse_budget("250").unwrap(), 250.0);
        assert!(parse_levers(&["content".into(), "nope".into()])
            .unwrap_err()
            .to_string()
            .contains("nope"));
        assert!(Objective::parse("profit").is_err());
        assert_eq!(
            Objective::parse("active@60").unwrap(),
            Objective::Active(Some(60))
        );
    }
}
