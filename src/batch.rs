//! Monte Carlo batches: builds the population, checks it fits in memory, and
//! runs the runs in parallel.
//!
//! Runs execute on a rayon pool of the requested size and are collected in run
//! order, so results do not depend on the number of threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::{self, Graph};
use crate::model::{self, Params, RunOutput};
use crate::rng::{self, Purpose, RunKey};
use crate::scenario::{GraphSpec, Scenario};

/// How a batch is executed (never what it computes).
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    pub threads: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// The results of all runs of a scenario.
pub struct Batch {
    /// The scenario as run (population size filled in for file graphs).
    pub scenario: Scenario,
    pub runs: Vec<RunOutput>,
    pub threads: usize,
    pub wall: Duration,
    pub nodes: usize,
    /// Undirected edges of the shared graph (0 when resampled per run).
    pub edges: usize,
}

/// Bytes of per-run state per person: the per-person arrays with every
/// mechanism on, and a member record for everyone (as if all joined; see
/// `model::world::World`), an upper bound; with `[ties]` on the check adds
/// [`model::TIE_BYTES_PER_PERSON`], an allowance for ties.
pub const STATE_BYTES_PER_PERSON: u64 = (model::PERSON_ARRAY_BYTES + model::MEMBER_BYTES) as u64;

/// Expected number of undirected edges of a generated graph.
pub fn expected_edges(spec: &GraphSpec, n: u64) -> u64 {
    let n_f = n as f64;
    let e = match spec {
        GraphSpec::WellMixed | GraphSpec::File { .. } => 0.0,
        GraphSpec::ErdosRenyi { mean_degree } => n_f * mean_degree / 2.0,
        GraphSpec::BarabasiAlbert { m } => n_f * *m as f64,
        GraphSpec::WattsStrogatz { k, .. } => n_f * *k as f64 / 2.0,
        GraphSpec::Block {
            degree_in,
            degree_out,
            ..
        } => n_f * (degree_in + degree_out) / 2.0,
    };
    e as u64
}

/// Peak bytes while building a graph of n nodes and e undirected edges:
/// the sorted key list (8 bytes per directed edge) and the CSR (4 bytes per
/// directed edge and 8 per node) exist together for a moment.
pub fn graph_build_bytes(n: u64, e: u64) -> u64 {
    2 * e * 8 + 2 * e * 4 + 8 * n
}

/// Memory available to this process, from /proc/meminfo where there is one.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn gib(b: u64) -> String {
    format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)
}

/// Refuses a population that would not fit: the graph (one, or one per
/// concurrent run when resampled) plus the state of each concurrent run.
pub fn check_memory(
    scenario: &Scenario,
    n: u64,
    edges: u64,
    threads: usize,
    available: Option<u64>,
) -> Result<()> {
    let Some(avail) = available else {
        return Ok(());
    };
    let spec = scenario.spec();
    let concurrent = (threads as u64).min(spec.runs as u64).max(1);
    let graph = graph_build_bytes(n, edges);
    let kept = kept_output_bytes(scenario, n);
    // Referrals not written are still collected during a run (for the
    // referral-tree columns of runs.csv) and dropped at its end.
    let referrals_in_run = if spec.output.referrals {
        0
    } else {
        n.saturating_mul(REFERRAL_ROW_BYTES)
    };
    let ties = if spec.ties.enabled {
        model::TIE_BYTES_PER_PERSON as u64
    } else {
        0
    };
    let per_run = n * (STATE_BYTES_PER_PERSON + ties)
        + model::tally_bytes(n, max_groups(scenario, n))
        + referrals_in_run
        + if spec.population.resample { graph } else { 0 };
    let shared_graph = if spec.population.resample { 0 } else { graph };
    // Every run's rows (daily, referral, group, member) are kept until the
    // results are written.
    let rows = kept.total();
    let shared = shared_graph.saturating_add(rows);
    let need = shared.saturating_add(concurrent.saturating_mul(per_run));
    if need <= avail {
        return Ok(());
    }
    let hint = if rows > shared_graph + concurrent * per_run {
        let biggest = kept.largest();
        format!(
            "; the {} rows kept for writing are the largest part: {}",
            biggest.0, biggest.1
        )
    } else if concurrent > 1 && shared + per_run <= avail {
        let fit = (avail.saturating_sub(shared) / per_run).max(1);
        format!(
            "; with --threads {fit} it would need {}",
            gib(shared + per_run * fit)
        )
    } else {
        "; reduce population.size or the graph's degree".to_string()
    };
    Err(Error::TooLarge(format!(
        "{}: a population of {n} people with about {edges} friendship edges over {} runs of {} days \
         needs up to {} ({} for the graph, {} for the rows kept until the results are written: \
         {} daily, {} referral, {} group, {} member; {} of state per run with \
         {concurrent} runs at a time), but this machine has {} available{hint}",
        scenario.source().display(),
        spec.runs,
        spec.days,
        gib(need),
        gib(graph),
        gib(rows),
        gib(kept.daily),
        gib(kept.referrals),
        gib(kept.groups),
        gib(kept.members),
        gib(per_run),
        gib(avail),
    )))
}

/// Bytes of one referrals.csv row kept in memory.
pub const REFERRAL_ROW_BYTES: u64 = std::mem::size_of::<model::Referral>() as u64;
/// Bytes of one groups.csv row kept in memory.
pub const GROUP_ROW_BYTES: u64 = std::mem::size_of::<model::GroupRow>() as u64;
/// Bytes of one members.csv row kept in memory (one row per person who ever
/// joined in a run).
pub const MEMBER_ROW_BYTES: u64 = std::mem::size_of::<model::MemberRow>() as u64;

/// Memory for the rows of every run that are kept until the results are
/// written, as upper bounds: each person joins at most once per run, so a
/// run has at most `n` referral rows and `n` member rows, and at most
/// [`max_groups`] group rows per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptRows {
    pub daily: u64,
    pub referrals: u64,
    pub groups: u64,
    pub members: u64,
}

impl KeptRows {
    pub fn total(&self) -> u64 {
        self.daily
            .saturating_add(self.referrals)
            .saturating_add(self.groups)
            .saturating_add(self.members)
    }

    /// The largest kind, with what reduces it.
    fn largest(&self) -> (&'static str, &'static str) {
        let kinds = [
            (self.daily, "daily", "reduce runs or days"),
            (
                self.referrals,
                "referral",
                "reduce runs, or set output.referrals = false",
            ),
            (
                self.groups,
                "group",
                "reduce runs, days or groups.max, or raise groups.capacity",
            ),
            (self.members, "member", "reduce runs or population.size"),
        ];
        let top = kinds.iter().max_by_key(|k| k.0).expect("four kinds");
        (top.1, top.2)
    }
}

/// Groups that can exist at once in a run of `n` people: one without a
/// capacity; otherwise a new group opens only when a group fills, which
/// takes `capacity` joins (half of that after a split), capped by `groups.max`.
pub fn max_groups(scenario: &Scenario, n: u64) -> u64 {
    let g = &scenario.spec().groups;
    if g.capacity == 0 {
        return 1;
    }
    let per_group = if g.split {
        (g.capacity as u64 / 2).max(1)
    } else {
        g.capacity as u64
    };
    (n.div_ceil(per_group) + 1).min(g.max as u64).max(1)
}

/// [`KeptRows`] of a batch of `scenario` over `n` people.
pub fn kept_output_bytes(scenario: &Scenario, n: u64) -> KeptRows {
    let spec = scenario.spec();
    let runs = spec.runs as u64;
    let days = spec.days as u64 + 1;
    let per_run = |rows: u64, bytes: u64| runs.saturating_mul(rows).saturating_mul(bytes);
    KeptRows {
        daily: per_run(days, std::mem::size_of::<model::DayRow>() as u64),
        referrals: if spec.output.referrals {
            per_run(n, REFERRAL_ROW_BYTES)
        } else {
            0
        },
        groups: per_run(
            days.saturating_mul(max_groups(scenario, n)),
            GROUP_ROW_BYTES,
        ),
        members: per_run(n, MEMBER_ROW_BYTES),
    }
}

/// Draws (or loads) the graph of a scenario with the given generator seed.
pub fn build_graph(spec: &GraphSpec, n: usize, seed: u64) -> Result<Graph> {
    let mut rng = rng::seeded(seed, Purpose::Graph);
    Ok(match spec {
        GraphSpec::WellMixed => Graph::empty(n),
        GraphSpec::ErdosRenyi { mean_degree } => graph::erdos_renyi(n, *mean_degree, &mut rng),
        GraphSpec::BarabasiAlbert { m } => graph::barabasi_albert(n, *m as usize, &mut rng),
        GraphSpec::WattsStrogatz { k, rewire } => {
            graph::watts_strogatz(n, *k as usize, *rewire, &mut rng)
        }
        GraphSpec::Block {
            blocks,
            degree_in,
            degree_out,
        } => graph::stochastic_block(n, *blocks as usize, *degree_in, *degree_out, &mut rng),
        GraphSpec::File { path } => graph::load_edge_list(path)?,
    })
}

/// Loads a file graph (if any), checks launch ids against it and the memory
/// needed, and returns the scenario with its population size known plus the
/// shared graph (None when each run draws its own).
pub fn prepare(mut scenario: Scenario, threads: usize) -> Result<(Scenario, Option<Graph>)> {
    let spec = scenario.spec().clone();
    if let GraphSpec::File { path } = &spec.population.graph {
        let g = graph::load_edge_list(path).map_err(|e| match e {
            // A graph file that cannot be read is bad input, named by the
            // scenario that points to it.
            Error::Io { source, .. } => Error::Scenario {
                path: scenario.source().to_path_buf(),
                message: format!(
                    "cannot read the graph file {} (population.graph.path): {source}",
                    path.display()
                ),
            },
            other => other,
        })?;
        if let Some(n) = spec.population.size {
            if n != g.node_count() as u64 {
                return Err(Error::Scenario {
                    path: scenario.source().to_path_buf(),
                    message: format!(
                        "field `population.size` = {n} does not match the {} people in {}; leave it out for file graphs",
                        g.node_count(),
                        path.display()
                    ),
                });
            }
        }
        if let Some(bad) = spec
            .start
            .ids
            .iter()
            .find(|&&id| g.index_of_label(id).is_none())
        {
            return Err(Error::Scenario {
                path: scenario.source().to_path_buf(),
                message: format!(
                    "field `start.ids` has id {bad}, which does not appear in {}",
                    path.display()
                ),
            });
        }
        if !spec.start.ids.is_empty() || spec.start.members <= g.node_count() as u64 {
            scenario.set_population_size(g.node_count() as u64);
        } else {
            return Err(Error::Scenario {
                path: scenario.source().to_path_buf(),
                message: format!(
                    "field `start.members` = {} is more than the {} people in {}",
                    spec.start.members,
                    g.node_count(),
                    path.display()
                ),
            });
        }
        check_memory(
            &scenario,
            g.node_count() as u64,
            0,
            threads,
            available_memory(),
        )?;
        return Ok((scenario, Some(g)));
    }
    let n = scenario.population_size().expect("generated graphs know n");
    scenario.set_population_size(n);
    check_memory(
        &scenario,
        n,
        expected_edges(&spec.population.graph, n),
        threads,
        available_memory(),
    )?;
    if spec.population.resample {
        return Ok((scenario, None));
    }
    let g = build_graph(&spec.population.graph, n as usize, spec.seed)?;
    Ok((scenario, Some(g)))
}

/// Runs every run of a prepared scenario.
pub fn run_batch(scenario: Scenario, graph: Option<Graph>, opts: BatchOptions) -> Result<Batch> {
    let started = Instant::now();
    let spec = scenario.spec();
    let n = scenario.population_size().expect("prepared") as usize;
    let params = Params::new(&scenario, n);
    let runs = spec.runs as usize;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", opts.threads)))?;
    let progress = Progress::new(runs, opts.progress, "runs");
    // Split a run's days over the threads only while the runs do not fill
    // them (see `model::simulate_split`).
    let split = runs <= opts.threads;
    let outputs: Vec<RunOutput> = pool.install(|| {
        (0..runs as u32)
            .into_par_iter()
            .map(|r| {
                let out = match &graph {
                    Some(g) => model::simulate_split(&scenario, &params, g, r, split),
                    None => {
                        let seed = RunKey::new(spec.seed, r as u64).seed();
                        let g = build_graph(&spec.population.graph, n, seed)
                            .expect("generated graphs cannot fail");
                        model::simulate_split(&scenario, &params, &g, r, split)
                    }
                };
                progress.tick();
                out
            })
            .collect()
    });
    progress.finish();
    let (nodes, edges) = graph
        .as_ref()
        .map_or((n, 0), |g| (g.node_count(), g.edge_count()));
    Ok(Batch {
        scenario,
        runs: outputs,
        threads: opts.threads,
        wall: started.elapsed(),
        nodes,
        edges,
    })
}

/// A progress bar on stderr with an ETA, redrawn at most ten times a second.
/// Counts runs in a batch and points in a sweep.
pub struct Progress {
    total: usize,
    /// What is counted, as printed after the count ("runs", "points").
    unit: &'static str,
    done: AtomicUsize,
    enabled: bool,
    started: Instant,
    last: Mutex<Instant>,
}

impl Progress {
    /// A bar over `total` items named `unit`; `enabled` false draws nothing.
    pub fn new(total: usize, enabled: bool, unit: &'static str) -> Progress {
        let now = Instant::now();
        Progress {
            total,
            unit,
            done: AtomicUsize::new(0),
            enabled,
            started: now,
            last: Mutex::new(now),
        }
    }

    /// Counts one item done and redraws the bar if it is time to.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.enabled {
            return;
        }
        let Ok(mut last) = self.last.try_lock() else {
            return;
        };
        if last.elapsed() < Duration::from_millis(100) && done < self.total {
            return;
        }
        *last = Instant::now();
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = elapsed / done as f64 * (self.total - done) as f64;
        let width = 30;
        let filled = width * done / self.total;
        eprint!(
            "\r[{}{}] {done}/{} {}, ETA {:.0} s   ",
            "=".repeat(filled),
            " ".repeat(width - filled),
            self.total,
            self.unit,
            eta
        );
    }

    /// Erases the bar.
    pub fn finish(&self) {
        if self.enabled {
            eprint!("\r{}\r", " ".repeat(70));
        }
    }
}
