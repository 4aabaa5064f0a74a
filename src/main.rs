//! The `commsim` command line: parses flags, calls the library, prints errors.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use commsim::app;
use commsim::scenario::GraphSpec;

// Numeric flags accept a leading `-` as part of their value, so that
// `--runs -1` is refused naming `--runs` rather than as an unknown argument.
#[derive(Parser)]
#[command(
    name = "commsim",
    version,
    about = "Simulate how online communities grow and die",
    long_about = "Simulate how online communities grow and die.\n\n\
        Members are agents on a social graph with needs, interest and trust in \
        the leader; each day they speak, stay silent, invite friends, mute the \
        group or leave. Run `commsim run` to simulate the built-in default, \
        and `commsim sweep` to vary a scenario's parameters."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's Monte Carlo batch and write its results.
    Run {
        /// Scenario file (TOML). Without one, runs the built-in default.
        scenario: Option<PathBuf>,
        /// Number of runs (overrides the scenario's `runs`).
        #[arg(long, allow_negative_numbers = true)]
        runs: Option<u32>,
        /// Master seed (overrides the scenario's `seed`).
        #[arg(long, allow_negative_numbers = true)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, allow_negative_numbers = true)]
        threads: Option<usize>,
        /// Output folder (default: outputs/<scenario name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace results already in the output folder.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Override a scenario field: PATH=VALUE, by the paths sweeps use
        /// (e.g. content.quality=0.5, channel[0].daily=8). Repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE", allow_hyphen_values = true)]
        sets: Vec<String>,
    },
    /// Compare scenarios with common random numbers: which strategy wins.
    Compare {
        /// Two or more scenario files; the first is the reference.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        /// Runs per scenario (default: the first scenario's `runs`).
        #[arg(long, allow_negative_numbers = true)]
        runs: Option<u32>,
        /// Seed shared by all scenarios (default: the first scenario's `seed`).
        #[arg(long, allow_negative_numbers = true)]
        seed: Option<u64>,
        /// Days at which active members are compared, comma-separated
        /// (default: 7, 30 and 90, or the last day every scenario simulates).
        #[arg(long, allow_negative_numbers = true, value_delimiter = ',')]
        days: Vec<u32>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, allow_negative_numbers = true)]
        threads: Option<usize>,
        /// Output folder (default: outputs/compare-<names>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace results already in the output folder.
        #[arg(long)]
        force: bool,
        /// Give each scenario its own seed and use unpaired intervals (to see
        /// what common random numbers gain).
        #[arg(long)]
        independent: bool,
        /// Run every scenario with `operator.funds = YUAN` (0 or more, or inf
        /// for unlimited), so that they are compared for the same budget.
        #[arg(long, value_name = "YUAN", allow_negative_numbers = true, value_parser = commsim::compare::parse_budget)]
        budget: Option<f64>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Search how to spend a fixed budget across the scenario's levers.
    #[command(visible_alias = "optimize")]
    Optimise {
        /// Scenario file (TOML) whose levers are searched.
        scenario: PathBuf,
        /// Money to spend: operator.funds of every candidate (a number from 0 up).
        #[arg(long, allow_hyphen_values = true)]
        budget: String,
        /// Levers to search, comma-separated (default: those the scenario uses).
        #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
        levers: Vec<String>,
        /// active@N (mean active members on day N; default the last day),
        /// self-sustaining (share of runs) or revenue.
        #[arg(long, allow_hyphen_values = true)]
        objective: Option<String>,
        /// Runs per candidate in the first round (default 4).
        #[arg(long, allow_negative_numbers = true)]
        runs: Option<u32>,
        /// Most runs the search simulates in all (default 5000).
        #[arg(long, allow_negative_numbers = true)]
        max_runs: Option<u32>,
        /// Most candidates in the first round; a larger space is sampled (default 100).
        #[arg(long, allow_negative_numbers = true)]
        candidates: Option<u32>,
        /// Seed shared by every candidate, and of the sample (default: the scenario's `seed`).
        #[arg(long, allow_negative_numbers = true)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, allow_negative_numbers = true)]
        threads: Option<usize>,
        /// Output folder (default: outputs/optimise-<name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace results already in the output folder.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run a parameter sweep, or one shard of it, described by a sweep file.
    Sweep {
        /// Sweep file (TOML): base scenario, parameters, design (docs/sweep.md).
        sweep: PathBuf,
        /// Output folder (default: outputs/<sweep file name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads for each point's runs (default: all cores).
        #[arg(long, allow_negative_numbers = true)]
        threads: Option<usize>,
        /// Run only shard i of n (0 <= i < n): points i, i + n, i + 2n, ...
        #[arg(long, value_name = "i/n")]
        shard: Option<app::Shard>,
        /// Keep the points already finished in the output folder; run the rest.
        #[arg(long)]
        resume: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Explain why a community died: phases, causes and counterfactuals.
    Explain {
        /// Scenario file (default: the built-in default).
        scenario: Option<PathBuf>,
        /// Runs per counterfactual (default: the scenario's `runs`).
        #[arg(long, allow_negative_numbers = true)]
        runs: Option<u32>,
        /// Master seed (default: the scenario's `seed`).
        #[arg(long, allow_negative_numbers = true)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, allow_negative_numbers = true)]
        threads: Option<usize>,
        /// Output folder (default: outputs/explain-<name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace results already in the output folder.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check a sweep's point files (from one or more folders) and assemble its results.
    Merge {
        /// Sweep folders: the one the shards shared, or one per shard.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Folder for the results (default: the folder, when there is one).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Serve the classroom page on 127.0.0.1: sliders, a live group, charts.
    Serve {
        /// Port on 127.0.0.1 (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Open the page in the default browser (xdg-open).
        #[arg(long)]
        open: bool,
        /// Stop by itself after this many seconds (for tests and demos).
        #[arg(long, hide = true)]
        quit_after: Option<u64>,
    },
    /// Redraw the charts of a results folder from its CSV files.
    Plot {
        /// Results folder written by `commsim run` (holding daily.csv).
        dir: PathBuf,
    },
    /// Compute sensitivity indices (Sobol or Morris) of a finished sweep.
    Sensitivity {
        /// Sweep folder of a saltelli or morris design, after merging.
        dir: PathBuf,
        /// Metric to analyse; repeat for several (default: the sweep's `metrics`).
        #[arg(long = "metric")]
        metrics: Vec<String>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Write a generated social graph as an edge list ("u v" per line).
    Graph {
        /// Graph model.
        #[arg(long, value_enum)]
        model: Model,
        /// Number of people.
        #[arg(long, allow_negative_numbers = true)]
        size: u64,
        /// Barabási–Albert: edges per new node.
        #[arg(long, allow_negative_numbers = true, default_value_t = 3)]
        m: u32,
        /// Watts–Strogatz: ring degree (even).
        #[arg(long, allow_negative_numbers = true, default_value_t = 6)]
        k: u32,
        /// Watts–Strogatz: rewiring probability.
        #[arg(long, allow_negative_numbers = true, default_value_t = 0.1)]
        rewire: f64,
        /// Erdős–Rényi: mean degree.
        #[arg(long, allow_negative_numbers = true, default_value_t = 6.0)]
        mean_degree: f64,
        /// Block model: number of friend circles.
        #[arg(long, allow_negative_numbers = true, default_value_t = 10)]
        blocks: u32,
        /// Block model: mean degree inside a circle.
        #[arg(long, allow_negative_numbers = true, default_value_t = 8.0)]
        degree_in: f64,
        /// Block model: mean degree across circles.
        #[arg(long, allow_negative_numbers = true, default_value_t = 2.0)]
        degree_out: f64,
        /// Generator seed.
        #[arg(long, allow_negative_numbers = true, default_value_t = 1)]
        seed: u64,
        /// Output file.
        #[arg(long, short)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Model {
    ErdosRenyi,
    BarabasiAlbert,
    WattsStrogatz,
    Block,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Run {
            scenario,
            runs,
            seed,
            threads,
            out,
            force,
            quiet,
            sets,
        } => app::run(
            &app::RunOptions {
                scenario,
                runs,
                seed,
                threads,
                out,
                force,
                quiet,
                sets,
            },
            &mut stdout,
        )
        .map(|_| ()),
        Command::Compare {
            scenarios,
            runs,
            seed,
            days,
            threads,
            out,
            force,
            independent,
            budget,
            quiet,
        } => app::threads(threads).and_then(|threads| {
            commsim::compare::compare(
                &commsim::compare::CompareOptions {
                    scenarios,
                    runs,
                    seed,
                    days,
                    threads,
                    out,
                    force,
                    quiet,
                    independent,
                    budget,
                },
                &mut stdout,
            )
            .map(|_| ())
        }),
        Command::Explain {
            scenario,
            runs,
            seed,
            threads,
            out,
            force,
            quiet,
        } => app::threads(threads).and_then(|threads| {
            commsim::explain::explain(
                &commsim::explain::ExplainOptions {
                    scenario,
                    runs,
                    seed,
                    threads,
                    out,
                    force,
                    quiet,
                },
                &mut stdout,
            )
            .map(|_| ())
        }),
        Command::Optimise {
            scenario,
            budget,
            levers,
            objective,
            runs,
            max_runs,
            candidates,
            seed,
            threads,
            out,
            force,
            quiet,
        } => app::threads(threads).and_then(|threads| {
            commsim::optimise::optimise(
                &commsim::optimise::OptimiseOptions {
                    scenario,
                    budget,
                    levers,
                    objective,
                    runs,
                    max_runs,
                    candidates,
                    seed,
                    threads,
                    out,
                    force,
                    quiet,
                },
                &mut stdout,
            )
            .map(|_| ())
        }),
        Command::Serve {
            port,
            open,
            quit_after,
        } => commsim::serve::serve(
            &commsim::serve::ServeOptions {
                port,
                open,
                quit_after: quit_after.map(std::time::Duration::from_secs),
            },
            &mut stdout,
        ),
        Command::Plot { dir } => app::plot(&dir, &mut stdout).map(|_| ()),
        Command::Sweep {
            sweep,
            out,
            threads,
            shard,
            resume,
            quiet,
        } => app::sweep(
            &app::SweepOptions {
                file: sweep,
                out,
                threads: threads.unwrap_or_else(app::default_threads),
                shard: shard.unwrap_or(app::Shard::ALL),
                resume,
                quiet,
            },
            &mut stdout,
        )
        .map(|_| ()),
        Command::Merge { dirs, out, quiet } => {
            app::merge(&app::MergeOptions { dirs, out, quiet }, &mut stdout).map(|_| ())
        }
        Command::Sensitivity {
            dir,
            metrics,
            quiet,
        } => app::sensitivity(
            &app::SensitivityOptions {
                dir,
                metrics,
                quiet,
            },
            &mut stdout,
        )
        .map(|_| ()),
        Command::Graph {
            model,
            size,
            m,
            k,
            rewire,
            mean_degree,
            blocks,
            degree_in,
            degree_out,
            seed,
            out,
            force,
        } => {
            let spec = match model {
                Model::ErdosRenyi => GraphSpec::ErdosRenyi { mean_degree },
                Model::BarabasiAlbert => GraphSpec::BarabasiAlbert { m },
                Model::WattsStrogatz => GraphSpec::WattsStrogatz { k, rewire },
                Model::Block => GraphSpec::Block {
                    blocks,
                    degree_in,
                    degree_out,
                },
            };
            app::graph(
                &app::GraphOptions {
                    spec,
                    size,
                    seed,
                    out,
                    force,
                },
                &mut stdout,
            )
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
